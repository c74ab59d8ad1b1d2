/*
 * Vägledningsassistenten on any intranet page: one <script> tag adds the web component <vagledning-assistent>.
 *
 *   <script src="https://assistent.example/widget/widget.js" data-server="https://assistent.example"
 *           data-lang="sv" data-position="bottom-right" defer></script>
 *
 * No framework, shadow DOM, no inline script or style (the styles are a constructed stylesheet), no innerHTML:
 * it works under a strict Content-Security-Policy. It talks to POST /api/ask and
 * POST /api/answers/{id}/feedback on the server, sending the user's credentials (cookies, the proxy's sign-in).
 */
(function () {
  "use strict";

  var TAG = "vagledning-assistent";
  if (window.customElements.get(TAG)) return;

  var script = document.currentScript;
  var scriptOrigin = script && script.src ? new URL(script.src, document.baseURI).origin : window.location.origin;
  var POSITIONS = ["bottom-right", "bottom-left", "inline"];
  var REASONS = ["fel svar", "inaktuellt", "saknas", "svårt att förstå", "annat"];

  var TEXT = {
    sv: {
      launcher: "Fråga AI-assistenten",
      title: "Vägledningsassistenten",
      aiNotice:
        "Det här är en AI-assistent. Svaren tas fram automatiskt ur myndighetens vägledningar och kan vara fel. " +
        "Kontrollera alltid mot källan.",
      close: "Stäng assistenten",
      question: "Din fråga",
      hint: "Skriv inga personuppgifter. Enter skickar, Skift+Enter ger ny rad.",
      send: "Fråga",
      asOf: "Som det gällde den (valfritt)",
      newConversation: "Ny konversation",
      conversation: "Konversation med AI-assistenten",
      you: "Du frågade:",
      assistant: "AI-assistenten svarar:",
      loading: "Söker svar …",
      sources: "Källor",
      suggestions: "Sidor som ligger närmast",
      newTab: "(öppnas i ny flik)",
      stale: "Granskningsdatum passerat",
      expired: "Gäller inte längre",
      helpful: "Var svaret till hjälp?",
      up: "Ja",
      down: "Nej",
      reason: "Vad var fel? (valfritt)",
      reasons: {
        "fel svar": "Fel svar",
        inaktuellt: "Inaktuellt",
        saknas: "Information saknas",
        "svårt att förstå": "Svårt att förstå",
        annat: "Annat",
      },
      comment: "Kommentar (valfri)",
      commentHint: "Skriv inte personuppgifter.",
      sendFeedback: "Skicka omdöme",
      cancel: "Avbryt",
      thanks: "Tack för ditt omdöme!",
      feedbackError: "Omdömet kunde inte sparas. Försök igen.",
      error: "Något gick fel och frågan kunde inte besvaras. Försök igen.",
      signIn: "Du behöver logga in för att använda assistenten.",
      cleared: "En ny konversation har påbörjats.",
    },
    en: {
      launcher: "Ask the AI assistant",
      title: "Guidance assistant",
      aiNotice:
        "This is an AI assistant. Answers are produced automatically from the agency's guidance and may be wrong. " +
        "Always check the source.",
      close: "Close the assistant",
      question: "Your question",
      hint: "Do not enter personal data. Enter sends, Shift+Enter adds a line.",
      send: "Ask",
      asOf: "As it applied on (optional)",
      newConversation: "New conversation",
      conversation: "Conversation with the AI assistant",
      you: "You asked:",
      assistant: "The AI assistant answers:",
      loading: "Finding an answer …",
      sources: "Sources",
      suggestions: "Closest pages",
      newTab: "(opens in a new tab)",
      stale: "Past its review date",
      expired: "No longer in force",
      helpful: "Was the answer helpful?",
      up: "Yes",
      down: "No",
      reason: "What was wrong? (optional)",
      reasons: {
        "fel svar": "Wrong answer",
        inaktuellt: "Out of date",
        saknas: "Information missing",
        "svårt att förstå": "Hard to understand",
        annat: "Other",
      },
      comment: "Comment (optional)",
      commentHint: "Do not enter personal data.",
      sendFeedback: "Send feedback",
      cancel: "Cancel",
      thanks: "Thank you for your feedback!",
      feedbackError: "The feedback could not be saved. Please try again.",
      error: "Something went wrong and the question could not be answered. Please try again.",
      signIn: "You need to sign in to use the assistant.",
      cleared: "A new conversation has started.",
    },
  };

  // WCAG 2.1 AA: text contrast at least 4.5:1, focus ring yellow on black (visible on any host background).
  var CSS = [
    ":host { all: initial; display: block; font: 100%/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;",
    "  color: #1b1b1b; }",
    ":host([hidden]) { display: none; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0;",
    "  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }",
    "a { color: #00457c; text-decoration: underline; }",
    "a:hover { color: #002a4d; }",
    "a:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible, [tabindex]:focus-visible {",
    "  outline: 3px solid #ffbf47; outline-offset: 0; box-shadow: 0 0 0 6px #1b1b1b; }",
    "h2, h3, p, ol, ul { margin: 0; }",
    "button { font: inherit; cursor: pointer; border-radius: 4px; border: 2px solid #00457c; padding: .45em 1em;",
    "  background: #00457c; color: #fff; min-height: 44px; }",
    "button.secondary { background: #fff; color: #00457c; }",
    "button:disabled { cursor: progress; }",
    ".launcher { position: fixed; bottom: 1em; z-index: 2147483000; box-shadow: 0 2px 8px rgba(0,0,0,.35);",
    "  border-radius: 2em; padding: .6em 1.2em; font-weight: 600; }",
    ".launcher, .rate { display: inline-flex; align-items: center; gap: .45em; }",
    ".icon { width: 1.2em; height: 1.2em; flex: none; }",
    ".right .launcher { right: 1em; }",
    ".left .launcher { left: 1em; }",
    ".panel { display: flex; flex-direction: column; gap: .6em; background: #fff; border: 2px solid #00457c;",
    "  border-radius: 8px; padding: .8em; }",
    ".floating .panel { position: fixed; bottom: 4.5em; z-index: 2147483001; width: min(27em, calc(100vw - 2em));",
    "  max-height: min(42em, calc(100vh - 6em)); box-shadow: 0 4px 18px rgba(0,0,0,.3); }",
    ".right .panel { right: 1em; }",
    ".left .panel { left: 1em; }",
    ".inline .panel { max-height: 42em; }",
    ".head { display: flex; align-items: center; justify-content: space-between; gap: .5em; }",
    ".head h2 { font-size: 1.15em; color: #00457c; }",
    ".close { padding: .2em .7em; }",
    ".ai { background: #f3f5f8; border-left: 4px solid #00457c; padding: .4em .6em; font-size: .92em; }",
    ".log { flex: 1 1 auto; overflow-y: auto; min-height: 3em; display: flex; flex-direction: column; gap: .8em;",
    "  padding: .2em; }",
    ".turn { display: flex; flex-direction: column; gap: .4em; }",
    ".question { align-self: flex-end; background: #e3ebf4; border-radius: 8px; padding: .4em .7em;",
    "  max-width: 90%; white-space: pre-line; }",
    ".answer { border-left: 4px solid #00457c; padding-left: .6em; display: flex; flex-direction: column; gap: .4em; }",
    ".answer.abstain { border-left-color: #5c4200; }",
    ".who { font-weight: 600; font-size: .92em; }",
    ".text { white-space: pre-line; }",
    ".answer h3 { font-size: 1em; }",
    ".answer ol, .answer ul { padding-left: 1.4em; }",
    ".answer li { margin: .2em 0; }",
    ".note { background: #fff4d6; color: #5c4200; padding: .3em .5em; border-radius: 4px; }",
    ".badge { display: inline-block; margin-left: .3em; background: #fff4d6; color: #5c4200; padding: 0 .4em;",
    "  border-radius: 3px; font-size: .88em; }",
    ".badge.danger { background: #fde7e9; color: #8a1020; }",
    ".feedback { display: flex; flex-wrap: wrap; align-items: center; gap: .4em; }",
    ".feedback .rate { padding: .2em .8em; }",
    ".feedback-form { display: flex; flex-direction: column; gap: .5em; width: 100%; }",
    "fieldset { border: 1px solid #767676; border-radius: 4px; margin: 0; padding: .4em .6em; }",
    "legend { padding: 0 .3em; }",
    ".choice { display: flex; align-items: center; gap: .4em; min-height: 32px; }",
    "input[type=radio] { width: 1.1em; height: 1.1em; margin: 0; accent-color: #00457c; }",
    "label { font-weight: 600; }",
    ".choice label { font-weight: 400; }",
    "textarea { font: inherit; width: 100%; padding: .45em; border: 2px solid #4a4a4a; border-radius: 4px;",
    "  resize: vertical; color: #1b1b1b; background: #fff; }",
    ".hint { font-size: .88em; color: #4a4a4a; }",
    ".as-of { display: flex; gap: .5em; align-items: center; font-size: .88em; margin: .3em 0; }",
    ".actions { display: flex; flex-wrap: wrap; gap: .5em; }",
    ".ask { display: flex; flex-direction: column; gap: .35em; }",
    ".status:empty { display: none; }",
    ".status { font-size: .92em; }",
    ".error { background: #fde7e9; color: #8a1020; padding: .3em .5em; border-radius: 4px; }",
    ".error:empty { display: none; }",
    ".thanks { color: #1d5b2a; font-weight: 600; }",
    "@media (max-width: 40em) {",
    "  .floating .panel { inset: 0; width: auto; max-height: none; border-radius: 0; border-width: 0; }",
    "  .floating.open .launcher { display: none; }",
    "}",
    "@media (forced-colors: active) { .launcher, .panel, button { border: 2px solid ButtonText; } }",
  ].join("\n");

  var sheet = null;
  function styles() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return sheet;
  }

  // Build elements without innerHTML: el("p", {class: "x"}, "text", child, ...).
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function safeUrl(url, server) {
    try {
      var parsed = new URL(url, server + "/");
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (err) {
      return null;
    }
  }

  // Icons are drawn, not emoji, so they look the same without an emoji font (paths: Material Icons, Apache-2.0).
  var ICONS = {
    bubble: "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    up:
      "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 " +
      "7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down:
      "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 " +
      ".41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
  };

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  var instances = 0;

  class VagledningAssistent extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      instances += 1;
      this.uid = "va" + instances;
      this.language = this.getAttribute("lang") === "en" ? "en" : "sv";
      this.setAttribute("lang", this.language);
      this.t = TEXT[this.language];
      var position = this.getAttribute("position");
      this.position = POSITIONS.indexOf(position) >= 0 ? position : "bottom-right";
      this.server = (this.getAttribute("server") || scriptOrigin).replace(/\/+$/, "");
      this.conversationId = null;
      this.pending = false;
      var root = this.attachShadow({ mode: "open" });
      root.adoptedStyleSheets = [styles()];
      root.append(this.build());
    }

    get floating() {
      return this.position !== "inline";
    }

    build() {
      var t = this.t;
      var titleId = this.uid + "-title";
      this.launcher = el(
        "button",
        { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": this.uid + "-panel" },
        icon("bubble"),
        t.launcher
      );
      this.closeButton = el("button", { type: "button", class: "close secondary", "aria-label": t.close }, "✕");
      this.log = el("div", {
        class: "log",
        role: "log",
        "aria-live": "polite",
        "aria-label": t.conversation,
        tabindex: "0",
      });
      this.input = el("textarea", {
        id: this.uid + "-q",
        name: "question",
        rows: "2",
        maxlength: "2000",
        required: true,
        "aria-describedby": this.uid + "-hint",
      });
      this.asOf = el("input", { id: this.uid + "-as-of", name: "as_of", type: "date", min: "1990-01-01" });
      this.sendButton = el("button", { type: "submit" }, t.send);
      this.newButton = el("button", { type: "button", class: "secondary" }, t.newConversation);
      this.status = el("p", { class: "status", role: "status" });
      this.error = el("p", { class: "error", role: "alert" });
      this.form = el(
        "form",
        { class: "ask", novalidate: true },
        el("label", { for: this.uid + "-q" }, t.question),
        this.input,
        el("p", { id: this.uid + "-hint", class: "hint" }, t.hint),
        el("label", { for: this.uid + "-as-of", class: "as-of" }, t.asOf, this.asOf),
        el("div", { class: "actions" }, this.sendButton, this.newButton)
      );
      this.panel = el(
        "div",
        { id: this.uid + "-panel", class: "panel", hidden: this.floating },
        el("div", { class: "head" }, el("h2", { id: titleId }, t.title), this.floating ? this.closeButton : null),
        el("p", { class: "ai" }, t.aiNotice),
        this.log,
        this.status,
        this.error,
        this.form
      );
      var side = this.position === "bottom-left" ? "left" : "right";
      var classes = this.floating ? "root floating " + side : "root inline";
      // A floating widget is its own top-level landmark; an inline one is a region inside the host's content.
      this.container = el(
        this.floating ? "aside" : "section",
        { class: classes, "aria-labelledby": titleId, lang: this.language },
        this.floating ? this.launcher : null,
        this.panel
      );
      this.wire();
      return this.container;
    }

    wire() {
      var self = this;
      this.launcher.addEventListener("click", function () {
        self.setOpen(self.panel.hidden);
      });
      this.closeButton.addEventListener("click", function () {
        self.setOpen(false);
      });
      this.panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && self.floating) {
          event.preventDefault();
          self.setOpen(false);
        }
      });
      this.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          self.form.requestSubmit();
        }
      });
      this.form.addEventListener("submit", function (event) {
        event.preventDefault();
        self.ask(self.input.value.trim());
      });
      this.newButton.addEventListener("click", function () {
        self.conversationId = null;
        self.log.replaceChildren();
        self.error.textContent = "";
        self.status.textContent = self.t.cleared;
        self.input.focus();
      });
    }

    setOpen(open) {
      if (!this.floating) return;
      this.panel.hidden = !open;
      this.launcher.setAttribute("aria-expanded", String(open));
      this.container.classList.toggle("open", open);
      (open ? this.input : this.launcher).focus();
    }

    async post(path, body) {
      var response = await fetch(this.server + path, {
        method: "POST",
        credentials: "include",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      var data = null;
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
      if (!response.ok) {
        var failure = new Error("HTTP " + response.status);
        failure.status = response.status;
        failure.code = data && data.error ? data.error.code : "";
        throw failure;
      }
      return data;
    }

    async ask(question) {
      if (!question || this.pending) return;
      this.pending = true;
      this.error.textContent = "";
      this.status.textContent = this.t.loading;
      this.log.setAttribute("aria-busy", "true");
      try {
        var answer;
        try {
          answer = await this.post("/api/ask", this.askBody(question));
        } catch (err) {
          if (err.status !== 404 || !this.conversationId) throw err;
          this.conversationId = null; // the conversation is gone on the server: start a new one
          answer = await this.post("/api/ask", this.askBody(question));
        }
        this.conversationId = answer.conversation_id;
        this.input.value = "";
        this.show(question, answer); // the log announces the answer itself
        this.status.textContent = "";
      } catch (err) {
        this.status.textContent = "";
        this.error.textContent = err.status === 401 || err.status === 403 ? this.t.signIn : this.t.error;
      } finally {
        this.pending = false;
        this.log.removeAttribute("aria-busy");
      }
    }

    askBody(question) {
      return {
        question: question,
        conversation_id: this.conversationId,
        language: this.language,
        channel: "widget",
        as_of: this.asOf.value || null,
      };
    }

    show(question, answer) {
      var t = this.t;
      // Extractive answers quote the Swedish guidance word for word; an abstention is in the asked language.
      var textLang = answer.answered && answer.generator === "extractive" ? "sv" : answer.language || this.language;
      var body = el(
        "div",
        { class: "answer" + (answer.answered ? "" : " abstain"), "data-answer-id": answer.answer_id },
        el("p", { class: "who" }, t.assistant),
        el("p", { class: "text", lang: textLang }, answer.text)
      );
      (answer.notes || []).forEach(function (note) {
        body.append(el("p", { class: "note" }, note));
      });
      if (answer.citations && answer.citations.length) body.append.apply(body, this.links(answer.citations, t.sources));
      if (answer.suggestions && answer.suggestions.length) {
        body.append.apply(body, this.links(answer.suggestions, t.suggestions));
      }
      body.append(this.feedback(answer.answer_id));
      var turn = el(
        "article",
        { class: "turn" },
        el("p", { class: "question" }, el("span", { class: "visually-hidden" }, t.you + " "), question),
        body
      );
      this.log.append(turn);
      this.log.scrollTop = turn.offsetTop - this.log.offsetTop;
    }

    links(items, heading) {
      var t = this.t;
      var language = this.language;
      var server = this.server;
      var list = el("ol", { class: "sources" });
      items.forEach(function (c) {
        var href = safeUrl(c.url, server);
        var label = c.title + (c.heading && c.heading !== c.title ? " – " + c.heading : "");
        var link = href
          ? el(
              "a",
              { href: href, target: "_blank", rel: "noopener", lang: "sv" },
              label,
              el("span", { class: "visually-hidden", lang: language }, " " + t.newTab)
            )
          : el("span", { lang: "sv" }, label);
        var item = el("li", {}, link);
        if (c.expired) item.append(el("span", { class: "badge danger" }, t.expired));
        else if (c.stale) item.append(el("span", { class: "badge" }, t.stale));
        list.append(item);
      });
      return [el("h3", {}, heading), list];
    }

    feedback(answerId) {
      var self = this;
      var t = this.t;
      var up = el(
        "button",
        { type: "button", class: "rate secondary", "data-rating": "up" },
        icon("up"),
        t.up
      );
      var down = el(
        "button",
        { type: "button", class: "rate secondary", "data-rating": "down", "aria-expanded": "false" },
        icon("down"),
        t.down
      );
      var question = el("p", { id: answerId + "-helpful" }, t.helpful);
      var error = el("p", { class: "error", role: "alert" });
      var box = el(
        "div",
        { class: "feedback", role: "group", "aria-labelledby": answerId + "-helpful" },
        question,
        up,
        down,
        error
      );
      var form = this.reasonForm(answerId);
      form.hidden = true;
      box.append(form);

      function done() {
        box.replaceChildren(el("p", { class: "thanks", role: "status" }, t.thanks));
      }
      async function send(body, focusOnError) {
        error.textContent = "";
        try {
          await self.post("/api/answers/" + encodeURIComponent(answerId) + "/feedback", body);
          done();
          // Focus was on a control that is gone: keep it in the widget, on the question box.
          self.input.focus();
        } catch (err) {
          error.textContent = err.status === 401 || err.status === 403 ? t.signIn : t.feedbackError;
          if (focusOnError) focusOnError.focus();
        }
      }
      up.addEventListener("click", function () {
        send({ rating: "up" }, up);
      });
      down.addEventListener("click", function () {
        form.hidden = false;
        down.setAttribute("aria-expanded", "true");
        form.querySelector("input, textarea").focus();
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = form.querySelector("input[type=radio]:checked");
        var comment = form.querySelector("textarea").value.trim();
        var body = { rating: "down" };
        if (chosen) body.reason = chosen.value;
        if (comment) body.comment = comment;
        send(body, form.querySelector("button[type=submit]"));
      });
      form.querySelector("button.cancel").addEventListener("click", function () {
        form.hidden = true;
        down.setAttribute("aria-expanded", "false");
        down.focus();
      });
      return box;
    }

    reasonForm(answerId) {
      var t = this.t;
      var base = answerId + "-fb";
      var choices = REASONS.map(function (reason, i) {
        var id = base + "-r" + i;
        return el(
          "div",
          { class: "choice" },
          el("input", { type: "radio", id: id, name: base + "-reason", value: reason }),
          el("label", { for: id }, t.reasons[reason])
        );
      });
      var fieldset = el("fieldset", {}, el("legend", {}, t.reason));
      choices.forEach(function (choice) {
        fieldset.append(choice);
      });
      return el(
        "form",
        { class: "feedback-form", novalidate: true },
        fieldset,
        el("label", { for: base + "-comment" }, t.comment),
        el("textarea", {
          id: base + "-comment",
          name: "comment",
          rows: "2",
          maxlength: "4000",
          "aria-describedby": base + "-hint",
        }),
        el("p", { id: base + "-hint", class: "hint" }, t.commentHint),
        el(
          "div",
          { class: "actions" },
          el("button", { type: "submit" }, t.sendFeedback),
          el("button", { type: "button", class: "secondary cancel" }, t.cancel)
        )
      );
    }
  }

  window.customElements.define(TAG, VagledningAssistent);

  // The <script> tag's data attributes place one assistant, unless the page already has the element itself.
  function mount() {
    if (!script || document.querySelector(TAG)) return;
    var data = script.dataset;
    var node = document.createElement(TAG);
    node.setAttribute("server", data.server || scriptOrigin);
    node.setAttribute("lang", data.lang === "en" ? "en" : "sv");
    node.setAttribute("position", POSITIONS.indexOf(data.position) >= 0 ? data.position : "bottom-right");
    if (data.position === "inline" && script.parentNode && script.parentNode !== document.head) script.after(node);
    else document.body.append(node);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
