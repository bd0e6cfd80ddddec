/*! Kohtaamo survey widget. SPDX-License-Identifier: AGPL-3.0-or-later
 * <script src="https://<kohtaamo>/static/widget/kohtaamo-widget.js" data-survey="<slug>"
 *   data-lang="fi" async></script>   (data-hidden-<key>="value" fills a hidden question)
 * Strict-CSP friendly: no eval, no inline handlers, styles only in its own shadow root.
 */
(() => {
  "use strict";
  const script = document.currentScript || document.querySelector("script[data-survey]");
  const slug = script && script.getAttribute("data-survey");
  if (!slug) return;
  const api = `${new URL(script.src, location.href).origin}/api/v1/public/surveys/${encodeURIComponent(slug)}`;
  const lang = (script.getAttribute("data-lang") || navigator.language || "fi").slice(0, 2).toLowerCase();
  const hidden = {};
  for (const a of script.attributes) if (a.name.startsWith("data-hidden-")) hidden[a.name.slice(12)] = a.value;
  const get = (k) => { try { return localStorage.getItem(`kohtaamo:${slug}:${k}`); } catch (e) { return null; } };
  const put = (k, v) => { try { localStorage.setItem(`kohtaamo:${slug}:${k}`, v); } catch (e) { /* private mode */ } };

  const CSS = `:host{all:initial}
.box{position:fixed;z-index:2147483000;width:min(24rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;box-sizing:border-box;background:#fff;color:#1b1f24;border:1px solid #c9ced6;border-radius:.75rem;box-shadow:0 .5rem 2rem #0004;padding:1rem 1.25rem;font:15px/1.45 system-ui,sans-serif}
.bottom-right{right:1rem;bottom:1rem}.bottom-left{left:1rem;bottom:1rem}.center{left:50%;top:50%;transform:translate(-50%,-50%)}
h2{font-size:1.1rem;margin:0 2rem .5rem 0}p{margin:.25rem 0 .75rem}
fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}legend,.lbl{font-weight:600;padding:0;margin-bottom:.4rem;display:block}
.help{color:#555;font-size:.9em;margin:-.2rem 0 .4rem}
.scale{display:flex;flex-wrap:wrap;gap:.25rem}
.scale label{flex:1 0 2rem;text-align:center;border:1px solid #c9ced6;border-radius:.4rem;padding:.3rem 0;cursor:pointer}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale label:has(input:checked){background:#0b5cad;color:#fff;border-color:#0b5cad}
.scale label:has(input:focus-visible),:focus-visible{outline:2px solid #0b5cad;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.8em;color:#555;margin-top:.2rem}
.opt{display:block;margin:.2rem 0;cursor:pointer}
textarea{width:100%;box-sizing:border-box;min-height:4rem;font:inherit;padding:.4rem;border:1px solid #8a929c;border-radius:.4rem}
.err{color:#b00020;font-size:.9em;margin:.3rem 0 0}.actions{display:flex;gap:.5rem;justify-content:flex-end}
button{font:inherit;border-radius:.4rem;padding:.4rem .9rem;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.sec{background:#fff;color:#0b5cad}
.x{position:absolute;right:.5rem;top:.5rem;background:none;border:0;color:#333;font-size:1.3rem;line-height:1;padding:.2rem .5rem}
.trap{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}`;

  const el = (tag, attrs = {}, kids = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid) node.append(kid);
    return node;
  };
  const $$ = (root, sel) => Array.from(root.querySelectorAll(sel));
  const isPair = (q) => q.type === "expectation_experience" && q.pair_form === "double";
  const isMulti = (q) => q.type === "multiple_choice" || q.type === "emotion";

  // The same visibility rule as the server's (surveys/answers.py).
  const compare = (c, a) => {
    if (c.op === "answered") return a != null;
    if (c.op === "not_answered") return a == null;
    if (a == null) return false;
    if (typeof a === "object" && !Array.isArray(a)) a = a.experienced;
    const v = c.value;
    if (Array.isArray(a)) {
      if (c.op === "in" && Array.isArray(v)) return a.some((x) => v.includes(x));
      return c.op === "eq" ? a.includes(v) : !a.includes(v);
    }
    return { eq: a === v, ne: a !== v, in: [].concat(v).includes(a), lt: a < v, le: a <= v, gt: a > v, ge: a >= v }[c.op] || false;
  };

  class Widget {
    constructor(data) {
      this.data = data;
      this.s = data.survey;
      this.w = data.survey.words;
      this.answers = {};
      this.page = 0;
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      this.key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }

    open() {
      if (this.host) return;
      this.started = new Date().toISOString();
      this.before = document.activeElement;
      this.host = el("div", { "data-kohtaamo-widget": slug });
      const root = this.host.attachShadow({ mode: "open" });
      if ("adoptedStyleSheets" in root && "replaceSync" in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(el("style", { text: CSS }));
      }
      const close = el("button", { type: "button", class: "x", "aria-label": this.w.close, text: "×" });
      this.body = el("div", { "aria-live": "polite" });
      this.box = el("div", {
        class: `box ${this.data.widget.position || "bottom-right"}`, role: "dialog",
        "aria-modal": "true", "aria-labelledby": "k-title", lang: this.data.language,
      }, [close, el("h2", { id: "k-title", text: this.s.title }), this.body]);
      root.append(this.box);
      close.addEventListener("click", () => this.close("dismissed"));
      this.box.addEventListener("keydown", (e) => this.onKey(e));
      this.box.addEventListener("change", () => { this.collect(); this.applyLogic(); });
      this.box.addEventListener("input", () => this.collect());
      document.body.append(this.host);
      this.render();
    }

    close(why) {
      if (!this.host) return;
      if (why) put("done", why);
      this.host.remove();
      this.host = null;
      if (this.before && this.before.focus) this.before.focus();
    }

    focusables() {
      return $$(this.box, "button,input:not([tabindex='-1']),textarea").filter((n) => !n.disabled && n.offsetParent);
    }

    onKey(e) {
      if (e.key === "Escape") { e.preventDefault(); this.close("dismissed"); return; }
      if (e.key !== "Tab") return;
      // Keep Tab inside the dialog while it is open.
      const items = this.focusables(), active = this.box.getRootNode().activeElement;
      const first = items[0], last = items[items.length - 1];
      if (e.shiftKey && active === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
    }

    render() {
      const s = this.s, w = this.w, page = s.pages[this.page];
      const last = this.page === s.pages.length - 1;
      const back = this.page > 0 && el("button", { type: "button", class: "sec", text: w.back });
      if (back) back.addEventListener("click", () => { this.collect(); this.page -= 1; this.render(); });
      this.error = el("p", { class: "err", role: "alert" });
      this.form = el("form", { novalidate: true }, [
        this.page === 0 && s.intro && el("p", { text: s.intro }),
        page.title && el("p", { text: page.title }),
        ...page.questions.filter((q) => q.type !== "hidden").map((q) => this.question(q)),
        // The honeypot: hidden from people and screen readers, tempting to form-filling bots.
        el("div", { class: "trap", "aria-hidden": "true" }, [
          el("label", { text: "Website" }, [el("input", { name: "website", tabindex: "-1", autocomplete: "off" })]),
        ]),
        this.error,
        el("div", { class: "actions" }, [back, el("button", { type: "submit", text: last ? w.send : w.next })]),
      ]);
      this.form.addEventListener("submit", (e) => { e.preventDefault(); this.next(); });
      this.body.replaceChildren(this.form);
      this.restore();
      this.applyLogic();
      const items = this.focusables();
      (items[1] || items[0]).focus();
    }

    scale(name, q, legend) {
      const sc = q.scale, boxes = [];
      for (let n = sc.min; n <= sc.max; n++) {
        boxes.push(el("label", {}, [el("input", { type: "radio", name, value: String(n) }), el("span", { text: String(n) })]));
      }
      return el("fieldset", {}, [
        el("legend", { text: legend }),
        el("div", { class: "scale" }, boxes),
        el("div", { class: "ends", "aria-hidden": "true" }, [el("span", { text: sc.min_label }), el("span", { text: sc.max_label })]),
      ]);
    }

    question(q) {
      const label = q.text + (q.required ? " *" : "");
      const help = q.help && el("p", { class: "help", text: q.help });
      let inner;
      if (isPair(q)) {
        inner = el("fieldset", {}, [el("legend", { text: label }), help,
          this.scale(`${q.key}.expected`, q, q.expected_label), this.scale(`${q.key}.experienced`, q, q.experienced_label)]);
      } else if (q.scale) {
        inner = this.scale(q.key, q, label);
        if (help) inner.children[0].after(help);
      } else if (q.type === "text") {
        inner = el("div", {}, [el("label", { for: `k-${q.key}`, class: "lbl", text: label }), help,
          el("textarea", { id: `k-${q.key}`, name: q.key, maxlength: String(q.max_length) })]);
      } else {
        const options = q.type === "yes_no" ? [{ key: "true", label: this.w.yes }, { key: "false", label: this.w.no }] : q.choices;
        inner = el("fieldset", {}, [el("legend", { text: label }), help, ...options.map((c) => el("label", { class: "opt" }, [
          el("input", { type: isMulti(q) ? "checkbox" : "radio", name: q.key, value: c.key }),
          ` ${c.icon ? c.icon + " " : ""}${c.label}`,
        ]))]);
      }
      return el("div", { "data-q": q.key }, [inner, el("p", { class: "err", "data-err": q.key })]);
    }

    checked(name) {
      return $$(this.form, `input[name='${name}']:checked`).map((i) => i.value);
    }

    collect() {
      for (const q of this.s.pages[this.page].questions) {
        if (q.type === "hidden") continue;
        let val = null;
        if (isPair(q)) {
          const pair = {};
          for (const p of ["expected", "experienced"]) {
            const [v] = this.checked(`${q.key}.${p}`);
            if (v !== undefined) pair[p] = Number(v);
          }
          if (Object.keys(pair).length) val = pair;
        } else if (q.type === "text") {
          val = this.form.querySelector(`textarea[name='${q.key}']`).value.trim() || null;
        } else {
          const c = this.checked(q.key);
          if (isMulti(q)) val = c.length ? c : null;
          else if (c.length) val = q.scale ? Number(c[0]) : q.type === "yes_no" ? c[0] === "true" : c[0];
        }
        if (val == null) delete this.answers[q.key];
        else this.answers[q.key] = val;
      }
      const trap = this.form.querySelector("input[name='website']");
      this.trap = this.trap || (trap && trap.value) || "";
    }

    restore() {
      for (const [key, v] of Object.entries(this.answers)) {
        const field = this.form.querySelector(`textarea[name='${key}']`);
        if (field) { field.value = v; continue; }
        const parts = typeof v === "object" && !Array.isArray(v) ? Object.entries(v).map(([p, x]) => [`${key}.${p}`, x]) : [[key, v]];
        for (const [name, x] of parts) {
          const vals = [].concat(x).map(String);
          for (const i of $$(this.form, `input[name='${name}']`)) i.checked = vals.includes(i.value);
        }
      }
    }

    visible() {
      const shown = {};
      for (const p of this.s.pages) for (const q of p.questions) {
        const c = q.show_if;
        if (!c || (shown[c.question] && compare(c, this.answers[c.question]))) shown[q.key] = true;
      }
      return shown;
    }

    applyLogic() {
      const shown = this.visible();
      for (const n of $$(this.form, "[data-q]")) n.hidden = !shown[n.getAttribute("data-q")];
    }

    next() {
      this.collect();
      const shown = this.visible();
      let missing = null;
      for (const q of this.s.pages[this.page].questions) {
        const err = this.form.querySelector(`[data-err='${q.key}']`);
        if (!err) continue;
        const a = this.answers[q.key];
        const empty = a == null || (isPair(q) && Object.keys(a).length < 2);
        err.textContent = q.required && shown[q.key] && empty ? this.w.required : "";
        if (err.textContent && !missing) missing = err.parentNode;
      }
      if (missing) return missing.querySelector("input,textarea").focus();
      if (this.page < this.s.pages.length - 1) { this.page += 1; return this.render(); }
      this.send();
    }

    send() {
      const shown = this.visible(), answers = { ...hidden };
      for (const [k, v] of Object.entries(this.answers)) if (shown[k]) answers[k] = v;
      const button = this.form.querySelector("button[type=submit]");
      button.disabled = true;
      this.error.textContent = "";
      const fail = (text) => { button.disabled = false; this.error.textContent = text || this.w.error; };
      fetch(`${api}/responses`, {
        method: "POST", mode: "cors", credentials: "omit", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          answers, language: this.data.language, finished: true, idempotency_key: this.key,
          started_at: this.started, page: location.origin + location.pathname, website: this.trap || "",
        }),
      })
        .then((r) => r.json().then((body) => ({ r, body })))
        .then(({ r, body }) => {
          if (r.ok) return this.thank(body.thanks || this.s.thanks);
          if (r.status === 422 && body.errors) { button.disabled = false; return this.showErrors(body.errors); }
          fail(body.detail);
        })
        .catch(() => fail());
    }

    showErrors(errors) {
      for (const e of errors) {
        const key = String(e.field || "").replace(/^answers\./, "").split(".")[0];
        const at = this.s.pages.findIndex((p) => p.questions.some((q) => q.key === key));
        if (at < 0) continue;
        if (at !== this.page) { this.page = at; this.render(); }
        const err = this.form.querySelector(`[data-err='${key}']`);
        if (err) { err.textContent = e.message; (err.parentNode.querySelector("input,textarea") || err).focus(); }
        return;
      }
      this.error.textContent = errors[0].message;
    }

    thank(text) {
      put("done", "answered");
      const done = el("button", { type: "button", text: this.w.close });
      done.addEventListener("click", () => this.close(null));
      this.body.replaceChildren(el("p", { text }), el("div", { class: "actions" }, [done]));
      done.focus();
    }
  }

  const arm = (data) => {
    const t = data.widget, widget = new Widget(data);
    const show = () => { if (!get("done")) widget.open(); };
    if (t.trigger === "page_view") show();
    else if (t.trigger === "time_on_page") setTimeout(show, (t.seconds || 0) * 1000);
    else if (t.trigger === "click" && t.selector) {
      document.addEventListener("click", (e) => { if (e.target.closest && e.target.closest(t.selector)) show(); }, true);
    } else if (t.trigger === "exit_intent") {
      // The pointer leaving through the top of the viewport: towards the tabs or the address bar.
      document.addEventListener("mouseout", (e) => { if (!e.relatedTarget && e.clientY <= 0) show(); });
    } else if (t.trigger === "custom_event") window.addEventListener(t.event_name || "kohtaamo:ask", show);
  };

  const start = () => {
    if (get("done")) return;
    fetch(`${api}?lang=${encodeURIComponent(lang)}`, { mode: "cors", credentials: "omit" })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then((data) => {
        // Drawn once per browser, so that a visitor is not re-drawn on every page.
        let drawn = get("sample");
        if (!drawn) put("sample", (drawn = Math.random() * 100 < data.widget.sample_percent ? "in" : "out"));
        if (drawn === "in") arm(data);
      })
      .catch(() => { /* a draft, closed, or not allowed on this site: stay silent */ });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
