"""The chat window as a Gradio app, and the function that serves it.

    demo = build_app(settings, archive, assistant)   # gr.Blocks
    launch(demo, host="127.0.0.1", port=7860, auth=None, block=True)

The app is made of `ui.chat` (the conversation), `ui.upload` (adding files) and the pure renderers; this
module only lays out the components and wires their events. Besides the window it serves three API
endpoints: `/ask`, a question (and optionally as_of, since, until, sources, history) in, the JSON of
`newsrag ask --json` out; `/digest` (since, until, as_of, sources, top) and `/timeline` (a question, since,
until, as_of, sources), the JSON of `newsrag digest --json` and `newsrag timeline --json`.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: it reads this on import

import gradio as gr  # noqa: E402

from rag.errors import InputError, NewsragError  # noqa: E402
from ui.assets import CSS, JS, MONO_FONTS, SYSTEM_FONTS  # noqa: E402
from ui.chat import Chat, Conversation  # noqa: E402
from ui.render import (  # noqa: E402
    NO_SOURCES_YET,
    again_label,
    as_of_info,
    outlet_choices,
    upload_summary_html,
    welcome_markdown,
)
from ui.upload import ACCEPTED, MAX_BYTES, MAX_FILES, ingest_files  # noqa: E402


def build_app(settings, archive, assistant) -> gr.Blocks:
    """The window over `archive`, answering with `assistant` (see `rag.wiring.open_assistant`)."""
    chat = Chat(archive, assistant)
    first = chat.stats()
    first_day, first_why = chat.default_as_of()
    with gr.Blocks(title="newsrag", analytics_enabled=False) as demo:
        conversation = gr.State(Conversation())
        as_of_default = gr.State(first_day.isoformat())  # to tell a day the user chose from the default
        status = gr.Markdown(elem_id="nr-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="nr-chat", label="newsrag", height=520, placeholder=welcome_markdown(first),
                    sanitize_html=True, allow_tags=False, latex_delimiters=[], feedback_options=None,
                    buttons=[], autoscroll=True,  # a copy button would copy the Markdown source
                )
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="Ask about the news in the archive…",
                                          scale=6, max_lines=4, elem_id="nr-question", autofocus=True)
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="nr-ask")
                    new = gr.Button("New conversation", scale=1, min_width=170, elem_id="nr-new")
                with gr.Accordion("Filters — applied to the next question", open=True):
                    with gr.Row():
                        since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD",
                                           elem_id="nr-since")
                        until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                           elem_id="nr-until")
                        outlets = gr.Dropdown(label="Outlets (all when none is picked)", multiselect=True,
                                              choices=outlet_choices(first), elem_id="nr-outlets", scale=2)
                        as_of = gr.Textbox(label="As of", value=first_day.isoformat(), placeholder="YYYY-MM-DD",
                                           info=as_of_info(first_why), elem_id="nr-as-of")
                with gr.Accordion("Add articles", open=not first["articles"], elem_id="nr-add"):
                    gr.Markdown(
                        f"JSONL, CSV, HTML, RSS/Atom, TXT or Markdown files, or a zip of them: at most "
                        f"{MAX_FILES} files and {MAX_BYTES >> 20} MB at once. They are added to the archive "
                        "in `" + str(settings.home).replace("`", "'") + "` and can be asked about at once."
                    )
                    files = gr.File(label="Files to add", file_count="multiple", file_types=list(ACCEPTED),
                                    elem_id="nr-files")
                    summary = gr.HTML(elem_id="nr-upload-summary")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                again = gr.Button(visible=False, size="sm", elem_id="nr-again")
                sources = gr.HTML(NO_SOURCES_YET, elem_id="nr-sources")

        def respond(text, current, first_day, last_day, picked, day):
            if not (text or "").strip():
                yield (gr.skip(),) * 6
                return
            update = None
            for update in chat.respond(text, current, first_day, last_day, picked, day):
                status_line = gr.skip() if update.status is None else update.status
                yield update.messages, update.sources, update.conversation, status_line, "", gr.Button(visible=False)
            if update is not None and update.conversation.unread:  # the window was read from the question
                yield (*(gr.skip(),) * 5, gr.Button(again_label(update.conversation.period), visible=True))

        def respond_again(current, first_day, last_day, picked, day):
            yield from respond(current.unread, current, first_day, last_day, picked, day)

        outputs = [chatbot, sources, conversation, status, question, again]
        filters = [since, until, outlets, as_of]
        asking = dict(fn=respond, inputs=[question, conversation, *filters], outputs=outputs,
                      api_visibility="private", concurrency_id="answer")
        question.submit(**asking)
        ask.click(**asking)
        again.click(respond_again, inputs=[conversation, *filters], outputs=outputs, api_visibility="private",
                    concurrency_id="answer")

        def start_over():
            return [], NO_SOURCES_YET, Conversation(), gr.Button(visible=False)

        new.click(start_over, outputs=[chatbot, sources, conversation, again], api_visibility="private")
        chatbot.clear(start_over, outputs=[chatbot, sources, conversation, again], api_visibility="private")

        def refreshed():
            stats = chat.stats()
            return (chat.status(), gr.Dropdown(choices=outlet_choices(stats)),
                    gr.Chatbot(placeholder=welcome_markdown(stats)))

        def defaults(typed: str = "", previous: str = ""):
            """The As-of field: the default day and why; a day the user typed is kept."""
            day, why = chat.default_as_of()
            value = day.isoformat() if (typed or "").strip() in ("", previous) else typed
            return gr.Textbox(value=value, info=as_of_info(why)), day.isoformat()

        demo.load(lambda: (*refreshed(), *defaults()), outputs=[status, outlets, chatbot, as_of, as_of_default],
                  api_visibility="private")

        def add_files(paths, typed, previous, progress=gr.Progress()):  # noqa: B008 - how gradio injects it
            try:
                summary_html = upload_summary_html(
                    ingest_files(archive, paths or [], lambda done, what: progress(done, desc=what)))
            except NewsragError as exc:
                summary_html = upload_summary_html([], problem=str(exc))
            return (summary_html, None, *refreshed(), *defaults(typed, previous))

        files.upload(add_files, inputs=[files, as_of, as_of_default],
                     outputs=[summary, files, status, outlets, chatbot, as_of, as_of_default], api_visibility="private")

        def ask_api(question: str, as_of: str | None = None, since: str | None = None, until: str | None = None,
                    sources: list[str] | None = None, history: list[list[str]] | None = None) -> dict:
            """Ask the archive a question. Returns the answer as `newsrag ask --json` prints it: question,
            answer, backend, notice, citations, retrieved, timings, sentences, markers_removed, and filters
            (what was searched: since, until, sources, as_of, phrase). Dates are YYYY-MM-DD; as_of defaults
            to today, or to the archive's last day when it ends before today; history is earlier
            [question, answer] pairs, oldest first."""
            try:
                return chat.ask_json(question, as_of, since, until, sources, history)
            except NewsragError as exc:
                raise gr.Error(str(exc)) from None

        gr.api(ask_api, api_name="ask", concurrency_id="answer")

        def digest_api(since: str | None = None, until: str | None = None, as_of: str | None = None,
                       sources: list[str] | None = None, top: int = 10) -> dict:
            """The main stories of a period, as `newsrag digest --json` prints them: since, until, and stories,
            each with headline, articles (ids), outlets, first, last, summary and citations (as /ask's). Dates
            are YYYY-MM-DD; with none, the seven days up to as_of (default: today, or the archive's last day)."""
            try:
                return chat.digest_json(since, until, as_of, sources, top)
            except NewsragError as exc:
                raise gr.Error(str(exc)) from None

        def timeline_api(question: str, since: str | None = None, until: str | None = None,
                         as_of: str | None = None, sources: list[str] | None = None) -> dict:
            """How the story a question is about unfolded, as `newsrag timeline --json` prints it: question
            and entries in date order, each with date, article_id, title, source, url, sentence, citation,
            kind ("report", "update" or "correction") and note."""
            try:
                return chat.timeline_json(question, since, until, as_of, sources)
            except NewsragError as exc:
                raise gr.Error(str(exc)) from None

        gr.api(digest_api, api_name="digest", concurrency_id="answer")
        gr.api(timeline_api, api_name="timeline", concurrency_id="answer")
    return demo


def theme() -> gr.themes.Base:
    """Gradio's default look with the system's fonts, so the page loads no font files."""
    return gr.themes.Default(font=list(SYSTEM_FONTS), font_mono=list(MONO_FONTS))


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           block: bool = True):
    """Serve `demo` at http://host:port; with `block=False` return at once, serving from a thread."""
    try:
        return demo.launch(
            server_name=host, server_port=port, auth=auth, prevent_thread_lock=not block, share=False,
            inbrowser=False, theme=theme(), css=CSS, js=JS, max_file_size=MAX_BYTES, ssr_mode=False,
            mcp_server=False, pwa=False, show_error=True, footer_links=["api", "settings"],
        )
    except OSError as exc:
        raise InputError(f"cannot serve on {host}:{port}: {exc}; choose another port with --port") from None
