// SOP workbench: CodeMirror 6 (vendored, static/codemirror.bundle.js) over the YAML textarea.
// The textarea stays the form field (and the editor without JavaScript): every change is copied
// into it and an "input" event lets htmx ask the server for diagnostics and the diagram; the
// diagnostics the server returns are shown at their line in the editor.
// Keys and values are completed from the project's JSON Schema (workbench-complete.js).
import { EditorView, EditorState, basicSetup, yaml, lintGutter, setDiagnostics } from "/static/codemirror.bundle.js";
import { schemaCompletion } from "/static/workbench-complete.js";

const ta = document.getElementById("source");
if (ta) {
  let complete = null;  // set once the schema is loaded
  const source = (context) => (complete ? complete(context) : null);
  if (ta.dataset.schema) {
    fetch(ta.dataset.schema, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))))
      .then((schema) => { complete = schemaCompletion(schema); window.mnoSchemaReady = true; })
      .catch(() => { window.mnoSchemaReady = false; });
  }
  const view = new EditorView({
    doc: ta.value,
    extensions: [
      basicSetup, yaml(), lintGutter(), EditorState.readOnly.of(ta.readOnly),
      EditorState.languageData.of(() => [{ autocomplete: source }]),
      EditorView.contentAttributes.of({ "aria-label": ta.labels && ta.labels[0] ? ta.labels[0].textContent : "YAML" }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) {
          ta.value = u.state.doc.toString();
          ta.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }),
    ],
  });
  view.dom.id = "cm-editor";
  const box = ta.closest(".editor");
  box.classList.add("cm-active");
  box.insertBefore(view.dom, ta);
  ta.hidden = true;
  window.mnoEditor = view;

  const apply = () => {
    const diags = [];
    document.querySelectorAll("#diagnostics li[data-line]").forEach((li) => {
      const n = parseInt(li.dataset.line, 10);
      if (n >= 1 && n <= view.state.doc.lines) {
        const line = view.state.doc.line(n);
        diags.push({ from: line.from, to: line.to, message: li.textContent.trim(),
                     severity: li.classList.contains("diag-error") ? "error" : "warning" });
      }
    });
    view.dispatch(setDiagnostics(view.state, diags));
  };
  document.addEventListener("htmx:afterSwap", apply);
  apply();

  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("[data-goto]");
    if (!a) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const n = Math.min(parseInt(a.dataset.goto, 10), view.state.doc.lines);
    const line = view.state.doc.line(n);
    view.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
    view.focus();
  }, true);
}
