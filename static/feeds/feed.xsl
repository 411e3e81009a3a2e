<?xml version="1.0" encoding="utf-8"?>
<!--
  Dispatch: shows an RSS 2.0 or Atom 1.0 feed as a readable page when a browser opens it.
  The page it makes is under the feed's Content-Security-Policy: no inline style or
  script, only the stylesheet below (same origin).
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" version="5.0" encoding="utf-8" indent="yes"
    doctype-system="about:legacy-compat"/>

  <xsl:variable name="title">
    <xsl:choose>
      <xsl:when test="/rss"><xsl:value-of select="/rss/channel/title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/atom:feed/atom:title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="/static/feeds/feed.css"/>
      </head>
      <body>
        <main class="feed-page">
          <p class="feed-notice">
            <strong>This is a web feed.</strong>
            Copy this page's address into your feed reader to follow it: new articles
            then come to you. <a href="/feeds/">What are feeds?</a>
          </p>
          <xsl:apply-templates select="rss/channel | atom:feed"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- RSS 2.0 -->
  <xsl:template match="channel">
    <header class="feed-header">
      <h1><xsl:value-of select="title"/></h1>
      <p><xsl:value-of select="description"/></p>
      <p><a class="feed-site" href="{link}">Visit the site</a></p>
    </header>
    <xsl:choose>
      <xsl:when test="item">
        <ol class="feed-items"><xsl:apply-templates select="item"/></ol>
      </xsl:when>
      <xsl:otherwise><p>Nothing here yet.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="item">
    <li class="feed-item">
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <p class="feed-meta"><xsl:value-of select="pubDate"/></p>
      <!-- The description is HTML made from plain text (entities only): show it as such. -->
      <p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
    </li>
  </xsl:template>

  <!-- Atom 1.0 -->
  <xsl:template match="atom:feed">
    <header class="feed-header">
      <h1><xsl:value-of select="atom:title"/></h1>
      <p><xsl:value-of select="atom:subtitle"/></p>
      <p><a class="feed-site" href="{atom:link[@rel='alternate']/@href}">Visit the site</a></p>
    </header>
    <xsl:choose>
      <xsl:when test="atom:entry">
        <ol class="feed-items"><xsl:apply-templates select="atom:entry"/></ol>
      </xsl:when>
      <xsl:otherwise><p>Nothing here yet.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="feed-item">
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <p class="feed-meta"><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
      <p><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></p>
    </li>
  </xsl:template>
</xsl:stylesheet>
