"""newsrag's chat window: a local Gradio app over the archive.

    ui.serve    the `newsrag serve` command (light: gradio is imported only when it runs)
    ui.app      build_app(settings, archive, assistant) -> gr.Blocks, and launch()
    ui.chat     the conversation: a question in, streamed chat updates out
    ui.upload   uploaded files in, one summary row per file out
    ui.render   pure functions: answers, status and upload reports -> Markdown/HTML
    ui.sources  pure functions: citations and stored texts -> the sources panel's HTML
"""
