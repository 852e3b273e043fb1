"""The window's own CSS and JavaScript, served inline with the page: nothing is fetched from the web."""

SYSTEM_FONTS = ("ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue",
                "Arial", "sans-serif")
MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace")

CSS = """
#nr-status p { margin: 0; }
#nr-sources { max-height: 78vh; overflow-y: auto; padding-right: 4px; }
.nr-turn > h3 { margin: 14px 0 4px; font-size: 1em; }
.nr-source { border-left: 3px solid var(--color-accent); padding: 4px 10px; margin: 8px 0;
             border-radius: 4px; scroll-margin-top: 12px; transition: background-color 0.4s; }
.nr-source h4 { margin: 0 0 2px; font-size: 1em; }
.nr-source .nr-n { color: var(--color-accent); font-weight: 600; }
.nr-searched { margin: 2px 0 6px; font-size: 0.9em; }
.nr-meta, .nr-also, .nr-empty, .nr-pending { color: var(--body-text-color-subdued); font-size: 0.9em;
                                             margin: 2px 0; }
.nr-passage { white-space: pre-wrap; margin: 6px 0 !important; padding: 0 !important; border: 0 !important;
              font-size: 0.95em; font-style: normal !important; }
.nr-passage mark, .nr-source h4 mark { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 2px; }
.nr-flash { background-color: var(--color-accent-soft); }
.nr-warning { color: #b91c1c; margin: 4px 0; font-size: 0.9em; }
.nr-unsupported { text-decoration: underline wavy #dc2626; text-underline-offset: 3px;
                  background: rgba(220, 38, 38, 0.08); }
.nr-reason { color: #b91c1c; }
.nr-attributed { opacity: 0.8; font-style: italic; }
.nr-upload { border-collapse: collapse; font-size: 0.9em; }
.nr-upload th, .nr-upload td { border: 1px solid var(--border-color-primary); padding: 2px 8px;
                               vertical-align: top; text-align: left; }
.nr-upload ul { margin: 0; padding-left: 16px; }
.nr-upload-problem { color: #b91c1c; }
.nr-chart { margin: 4px 0 8px; }
.nr-chart svg { max-width: 460px; color: var(--body-text-color); }
.nr-chart text { fill: currentColor; }
"""

# Gradio opens chat links in a new tab; a citation marker should instead bring its source into view.
# Listening on the document in the capture phase catches the click before the chat does.
JS = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest('a[href^="#source-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    target.classList.add("nr-flash");
    setTimeout(() => target.classList.remove("nr-flash"), 1500);
  }, true);
}
"""
