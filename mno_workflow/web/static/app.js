// MNO Workflow: tiny progressive enhancements (no inline script anywhere; CSP script-src 'self').
(function () {
  "use strict";
  var body = function () { return document.body; };

  // A form the user has started filling in (a field changed since it was shown).
  function isDirty(form) {
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked !== el.defaultChecked) return true; }
      else if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].selected !== el.options[j].defaultSelected) return true;
      } else if (el.value !== el.defaultValue) return true;
    }
    return false;
  }

  // Saving state on every submit: the button is disabled and says « Enregistrement… » (a double
  // click does not post twice); htmx forms use hx-disabled-elt / hx-indicator the same way.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    var btn = ev.submitter || form.querySelector("button[type=submit], button:not([type])");
    form.classList.add("is-saving");
    if (btn && !btn.disabled) {
      btn.dataset.label = btn.textContent;
      setTimeout(function () { btn.disabled = true; btn.textContent = body().dataset.saving || "…"; }, 0);
    }
  });
  // Back/forward cache: a page shown again gets its buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-saving").forEach(function (f) {
      f.classList.remove("is-saving");
      f.querySelectorAll("button[disabled]").forEach(function (b) { b.disabled = false; if (b.dataset.label) b.textContent = b.dataset.label; });
    });
  });

  // An htmx request never replaces a form the user has filled in without a word: the swap is
  // cancelled and a message says the open form was kept.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var target = ev.detail.target;
    if (!target) return;
    var forms = target.querySelectorAll ? target.querySelectorAll("form") : [];
    for (var i = 0; i < forms.length; i++) {
      if (forms[i] !== ev.detail.requestConfig.elt && !forms[i].contains(ev.detail.requestConfig.elt) && isDirty(forms[i])) {
        ev.detail.shouldSwap = false;
        var note = document.getElementById("kept-note");
        if (!note) {
          note = document.createElement("p");
          note.id = "kept-note"; note.className = "stale"; note.setAttribute("role", "alert");
          target.parentNode.insertBefore(note, target);
        }
        note.textContent = body().dataset.kept || "";
        return;
      }
    }
  });

  // An htmx request the server refused (4xx/5xx that is not a form's own answer: too large, no
  // longer allowed, a crash) or that never reached it (no network): htmx swaps nothing, so the
  // form stays as typed; a message above it says so, with the error page's own heading and first
  // paragraph (in the reader's language), and its buttons are usable again.
  function requestFailed(ev, words) {
    var elt = ev.detail.elt;
    var form = elt && elt.closest ? (elt.closest("form") || elt) : null;
    var note = document.getElementById("failed-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "failed-note"; note.className = "error failed-note"; note.setAttribute("role", "alert");
    }
    note.textContent = words;
    if (form && form.parentNode) form.parentNode.insertBefore(note, form);
    else document.querySelector("main").prepend(note);
    document.querySelectorAll("form.is-saving").forEach(function (f) {
      f.classList.remove("is-saving");
      f.querySelectorAll("button[disabled]").forEach(function (b) { b.disabled = false; if (b.dataset.label) b.textContent = b.dataset.label; });
    });
  }
  document.addEventListener("htmx:responseError", function (ev) {
    var said = "";
    try {
      var doc = new DOMParser().parseFromString(ev.detail.xhr.responseText || "", "text/html");
      var main = doc.querySelector("main") || doc.body;
      var h = main && main.querySelector("h1"), p = main && main.querySelector("p");
      said = [h && h.textContent.trim(), p && p.textContent.trim()].filter(Boolean).join(" — ");
    } catch (e) { said = ""; }
    requestFailed(ev, (body().dataset.failed || "") + (said ? " " + said : ""));
  });
  document.addEventListener("htmx:sendError", function (ev) { requestFailed(ev, body().dataset.offline || ""); });
  document.addEventListener("htmx:beforeRequest", function () {
    var note = document.getElementById("failed-note");
    if (note) note.remove();
  });

  // The header's language switch keeps a half-filled form (tryout 2 #24): on the click, the
  // fields of the forms the user started are saved in sessionStorage; after the reload, the same
  // page puts them back in the same forms, then forgets them. Hidden fields (tokens, versions),
  // passwords and files are never saved.
  var KEEP = "mno-lang-switch";
  function savedFields(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || /^(hidden|submit|button|file|password|reset)$/.test(el.type)) continue;
      if (el.type === "checkbox" || el.type === "radio") out.push({ n: el.name, v: el.value, c: el.checked });
      else if (el.tagName === "SELECT" && el.multiple) out.push({ n: el.name, m: Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) });
      else out.push({ n: el.name, v: el.value });
    }
    return out;
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest(".lang a");
    if (!link) return;
    var forms = [];
    document.querySelectorAll("main form").forEach(function (form, index) {
      if (isDirty(form)) forms.push({ index: index, action: form.getAttribute("action") || "", fields: savedFields(form) });
    });
    try {
      if (forms.length) sessionStorage.setItem(KEEP, JSON.stringify({ path: location.pathname, forms: forms }));
    } catch (e) { /* storage full or off: the switch goes on as before */ }
  });
  function restoreForms() {
    var raw = null;
    try { raw = sessionStorage.getItem(KEEP); sessionStorage.removeItem(KEEP); } catch (e) { return; }
    if (!raw) return;
    var kept; try { kept = JSON.parse(raw); } catch (e) { return; }
    if (!kept || kept.path !== location.pathname) return;
    var forms = document.querySelectorAll("main form");
    kept.forms.forEach(function (f) {
      var form = forms[f.index];
      if (!form || (form.getAttribute("action") || "") !== f.action) return;
      var seen = {};
      f.fields.forEach(function (x) {
        var k = seen[x.n] = (seen[x.n] || 0) + 1;  // the k-th field of that name
        var named = Array.prototype.filter.call(form.elements, function (el) { return el.name === x.n; });
        var el = "c" in x ? named.filter(function (e) { return e.value === x.v; })[0] : named[k - 1];
        if (!el) return;
        if ("c" in x) el.checked = x.c;
        else if ("m" in x) Array.prototype.forEach.call(el.options, function (o) { o.selected = x.m.indexOf(o.value) >= 0; });
        else el.value = x.v;
      });
      for (var d = form.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    });
  }
  document.addEventListener("DOMContentLoaded", restoreForms);

  // After an action saved (the page redirected here with its confirmation), keyboard focus goes to
  // that message, not the top of the page: a keyboard or screen-reader user hears what happened
  // and goes on from there (F20). A field that asked for focus itself (autofocus) keeps it.
  document.addEventListener("DOMContentLoaded", function () {
    var msg = document.querySelector("[data-flash]");
    var active = document.activeElement;
    if (!msg || (active && active !== document.body && active !== document.documentElement)) return;
    msg.focus();
    if (msg.scrollIntoView) msg.scrollIntoView({block: "center"});
  });

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    el.scrollIntoView();
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Collapsible header on phones.
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var header = toggle.closest("header");
        var open = header.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      // Escape closes the open menu from any of its links and gives the focus back to its button.
      toggle.closest("header").addEventListener("keydown", function (ev) {
        var header = toggle.closest("header");
        if (ev.key !== "Escape" || !header.classList.contains("open")) return;
        header.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      });
    }
    // A link to a collapsed tool (« Réattribuer » → /dossiers/REF#tool-reassign) opens it, on
    // load and when the hash changes on the same page.
    openTarget();
    window.addEventListener("hashchange", openTarget);
    // The error summary takes the focus (GOV.UK pattern); its links focus their field.
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    // Presentation mode: arrow keys move between slides, a button asks for full screen.
    if (document.body.classList.contains("presentation")) {
      document.addEventListener("keydown", function (ev) {
        var target = null;
        if (ev.key === "ArrowRight" || ev.key === "PageDown" || ev.key === " ") target = document.getElementById("next");
        if (ev.key === "ArrowLeft" || ev.key === "PageUp") target = document.getElementById("prev");
        if (target) { ev.preventDefault(); window.location.href = target.getAttribute("href"); }
      });
      var fs = document.getElementById("fullscreen");
      if (fs && document.documentElement.requestFullscreen) {
        fs.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
      } else if (fs) {
        fs.parentNode.hidden = true;  // a phone browser without full screen: no button that does nothing
      }
    }
  });
})();
// Forms: conditional fields (the SOP's relevant:, translated by web/relevance.py) and « + Ajouter ».
(function () {
  "use strict";
  // A field of the form, or of the row « item.sub » (a repeat group's row: its data-row prefix,
  // « needs.0. »): the row of the field being shown or hidden (tryout 9, L3).
  function valueOf(scope, name, type) {
    if (name.indexOf("item.") === 0) {
      if (!scope.row) throw new Error("no row");
      name = scope.row.getAttribute("data-row") + name.slice(5);
    }
    var els = scope.form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) throw new Error("no field");
    if (els[0].type === "checkbox") {
      var out = [];
      els.forEach(function (e) { if (e.checked) out.push(e.value); });
      return out;
    }
    var v = els[0].value;
    if (v === "") return null;
    if (type === "boolean") return v === "true";
    if (type === "integer" || type === "number") return Number(v.replace(",", "."));  // « 2,5 » (French)
    return v;
  }
  function present(v) { return v !== null && !(Array.isArray(v) && v.length === 0); }
  // Same meaning as the server's Expr.holds: reading an empty field is an error, an error is false.
  function ev(scope, n) {
    switch (n[0]) {
      case "or": return ev(scope, n[1]) === true || ev(scope, n[2]) === true;
      case "and": return ev(scope, n[1]) === true && ev(scope, n[2]) === true;
      case "not": var x = ev(scope, n[1]); if (typeof x !== "boolean") throw new Error("not"); return !x;
      case "eq": return ev(scope, n[1]) === ev(scope, n[2]);
      case "ne": return ev(scope, n[1]) !== ev(scope, n[2]);
      case "has": return present(valueOf(scope, n[1], ""));
      case "lit": return n[1];
      case "field": var v = valueOf(scope, n[1], n[2]); if (!present(v)) throw new Error("empty"); return v;
      case "exists_eq": var a = valueOf(scope, n[1], ""); if (!Array.isArray(a)) throw new Error("list"); return a.indexOf(n[2]) >= 0;
    }
    throw new Error("op");
  }
  function holds(scope, tree) { try { return ev(scope, tree) === true; } catch (e) { return false; } }
  // Every conditional field, in every row of a repeat group too (rows drawn at load and rows
  // « + Ajouter » reveals alike): run on load and on every change of the form.
  function update(form) {
    form.querySelectorAll("[data-relevant]").forEach(function (wrap) {
      var tree; try { tree = JSON.parse(wrap.getAttribute("data-relevant")); } catch (e) { return; }
      var on = holds({form: form, row: wrap.closest(".repeat-row[data-row]")}, tree);
      wrap.hidden = !on;
      wrap.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
      wrap.querySelectorAll(".cond:not(.req)").forEach(function (c) { c.hidden = true; });
    });
  }
  // Options offered by the value of another field (needs by dimension: web/pairing.py, from the
  // form's own rules). An option the rule never allows is hidden; the value the page was drawn
  // with stays shown (the server's message says what is wrong); a choice that no longer fits the
  // new value is cleared.
  function pair(form, sel, initial) {
    var ctl = form.querySelector('[name="' + sel.getAttribute("data-pair-with") + '"]');
    if (!ctl) return;
    var a = ctl.value;
    sel.querySelectorAll("option[data-allowed]").forEach(function (o) {
      var allowed = o.getAttribute("data-allowed");
      var ok = allowed !== "" && (a === "" || (" " + allowed + " ").indexOf(" " + a + " ") >= 0);
      if (!ok && initial && o.selected) ok = true;
      o.hidden = !ok; o.disabled = !ok;
    });
    var cur = sel.options[sel.selectedIndex];
    if (cur && cur.disabled) sel.value = "";
  }
  function setup(root) {
    root.querySelectorAll("form.sop-form").forEach(function (form) {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      update(form);
      form.querySelectorAll("select[data-pair-with]").forEach(function (sel) { pair(form, sel, true); });
      form.addEventListener("change", function (e) {
        var name = e.target && e.target.name;
        if (name) form.querySelectorAll("select[data-pair-with]").forEach(function (sel) {
          if (sel.getAttribute("data-pair-with") === name) pair(form, sel, false);
        });
      });
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
      form.querySelectorAll("fieldset.repeat").forEach(function (fs) {
        var extra = fs.querySelectorAll(".repeat-row[data-extra]");
        var btn = fs.querySelector("button.add-row");
        if (!btn || !extra.length) return;
        extra.forEach(function (r) { r.hidden = true; });
        btn.hidden = false;
        btn.addEventListener("click", function () {
          var next = fs.querySelector(".repeat-row[data-extra][hidden]");
          if (next) { next.hidden = false; var f = next.querySelector("select, input, textarea"); if (f) f.focus(); }
          if (!fs.querySelector(".repeat-row[data-extra][hidden]")) btn.hidden = true;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  // After htmx loads an action form (conditional fields set up first), move the focus to its error
  // summary, else its first field shown, else (a confirmation without field: « Accepter » of a
  // referral) its submit button, else (an action no longer possible) its first link: never left
  // on the link that opened it (tryout 9, L8). Other swaps: their first field, as before.
  function focusSwapped(t) {
    var shown = function (sel) {
      return Array.prototype.find.call(t.querySelectorAll(sel), function (el) {
        return !el.disabled && !el.closest("[hidden]");
      });
    };
    var panel = t.id === "action-panel" || (t.closest && t.closest("#action-panel"));
    var first = t.querySelector(".error-summary") || shown("input:not([type=hidden]), select, textarea")
      || (panel && (shown("button[type=submit]") || shown("a[href]")));
    if (first) first.focus();
  }
  document.addEventListener("htmx:afterSwap", function (ev) { setup(ev.target); focusSwapped(ev.target); });

  // « Back to the form » of an error page: one step back in the history, where the browser still
  // holds what was typed (the link's address, the form page, is the fallback without history).
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-history-back]");
    if (!a || window.history.length < 2) return;
    ev.preventDefault();
    window.history.back();
  });
})();
