"""The launch article: Xinhua's interview "China-Russia ties at all-time high" (June 3, 2012),
as carried by China.org.cn. The body is the original text, paragraph for paragraph; metadata the
original page does not give (byline, dateline, update time) stays empty."""

import datetime

from django.db import migrations

HEADLINE = "China-Russia ties at all-time high"
SLUG = "china-russia-ties-at-all-time-high"
PUBLISHED = datetime.datetime(2012, 6, 3, tzinfo=datetime.UTC)
TOPICS = [("China", "china"), ("Russia", "russia"), ("SCO", "sco"), ("Diplomacy", "diplomacy")]

PARAGRAPHS = [
    "Relations between Russia and China have reached unprecedented high levels, Russian Foreign Minister Sergei Lavrov said in an interview ahead of President Vladimir Putin's upcoming visit to China.",
    "Top leaders of the two countries are expected to discuss the expansion of bilateral cooperation in various fields during Putin's state visit to China on June 5-7, Lavrov said.",
    "Since Russia and China signed the Treaty on Good-Neighborliness, Friendship and Cooperation in 2001, the two countries have witnessed many breakthroughs in the development of their relations, Lavrov told Xinhua in a written interview.",
    "He listed some of the achievements, including an overall settlement of the border issues, a record high of 80 billion U.S. dollars in bilateral trade in 2011, the strategic cooperation in the energy sector, the launches of reciprocal National Years and Years of Languages, and close coordination in international affairs.",
    '"During Putin\'s visit, officials from both Russia and China are going to sign a joint communique on relations and their entrepreneurs will sign a number of agreements," Lavrov said.',
    "The two countries will also explore ways of further promoting their trade and economic relations, including how to optimize their bilateral trade structure, ensure rational use and protection of cross-border water resources, and conducting joint border inspections, he added.",
    "Since the leaders of the two countries decided to upgrade their relationship to a comprehensive strategic partnership of coordination based on equality, mutual trust and support, common prosperity and lasting friendship, the countries have made concerted efforts to further their relations, Lavrov said.",
    "On the political front, the two sides have agreed to continue enhancing mutual trust, promoting high-level exchanges and providing mutual support in efforts to safeguard their own sovereignty, state unity, and territorial integrity; On the economic front, the two countries have set a goal for bilateral trade to reach 100 billion U.S. dollars in 2015 and 200 billion dollars in 2020, Lavrov said.",
    "Besides, both Russia and China have strived to boost people-to-people and cultural exchanges and deepen their military cooperation, he said.",
    "Meanwhile, Moscow and Beijing have carried out close cooperation in global and regional organizations, such as the United Nations, the Shanghai Cooperation Organization (SCO), the Group of 20 (G20) and the BRICS, he said.",
    "The two sides have also actively coordinated with each other on the world's hot-spots, including the situation in West Asia and North Africa and the nuclear issue on the Korean Peninsula, he added.",
    '"Russia-China cooperation at all levels in international affairs has set a good example for other countries to harmonize their positions and solve the most complicated global problems," Lavrov said.',
    "Sharing similar positions on many international issues, the two countries have conducted close coordination in response to the fundamental changes of global geopolitics and economy, the Russian foreign minister said.",
    '"Russia and China have common core interests. They hold similar stances on the ongoing profound changes in the world and similar approaches to new challenges," Lavrov said.',
    '"Russia and China support building a multi-polar world, establishing a more just and democratic global political and economic system, and enhancing the UN\'s central role in coordinating and resolving hot international issues," he said.',
    'Russia-China cooperation on the international arena has "facilitated global peace and stability," he said.',
    "With regard to the upcoming 12th Meeting of the Council of Heads of Member States of the SCO which Putin will attend, Lavrov said the meeting is of great significance to consolidating cooperation among SCO member states.",
    "According to Lavrov, the leaders are expected to endorse a number of documents during their meeting and review the proposal to accept Afghanistan as an observer state and Turkey as a dialogue partner.",
    "Only through joint efforts can countries counter the threats to regional security, Lavrov said, adding that the SCO is becoming a key factor in safeguarding regional security and stability.",
    'The expansion of the SCO "would strengthen the organization\'s potential and raise its international prestige. New blood would bring extra energy to the SCO," he said.',
    "Established on 15 June, 2001 in Shanghai, the SCO is an intergovernmental international organization which groups Kazakhstan, China, Kyrgyzstan, Russia, Tajikistan and Uzbekistan. Its observer states include India, Iran, Mongolia and Pakistan, while its dialogue partners are Belarus and Sri Lanka.",
    "The 12th Meeting of the Council of Heads of Member States of the SCO will be held in Beijing on June 6-7.",
]


def _paragraph_html(text):
    from django.utils.html import escape

    return "<p>" + escape(text) + "</p>"


def create_seed_article(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Source = apps.get_model("articles", "Source")
    Topic = apps.get_model("articles", "Topic")
    if Article.objects.filter(slug=SLUG).exists():
        return
    xinhua, _ = Source.objects.get_or_create(name="Xinhua")
    article = Article.objects.create(
        headline=HEADLINE,
        slug=SLUG,
        summary=PARAGRAPHS[0],
        body="\n".join(_paragraph_html(p) for p in PARAGRAPHS),
        source=xinhua,
        publisher="China.org.cn",
        status="published",
        published_at=PUBLISHED,
        comment_mode="open",
    )
    for name, slug in TOPICS:
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        article.topics.add(topic)


def remove_seed_article(apps, schema_editor):
    apps.get_model("articles", "Article").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_seed_article, remove_seed_article)]
