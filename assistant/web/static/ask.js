// Start page: a conversation with the assistant through the JSON API, like the widget. Every earlier question
// and answer stays visible; a follow-up says it built on the previous turn; "Ny konversation" starts over.
// No inline script (CSP): the strings come from a JSON data block the page renders.
(function () {
  "use strict";
  const form = document.getElementById("ask-form");
  if (!form) return;
  const T = JSON.parse(document.getElementById("ask-strings").textContent);
  const out = document.getElementById("answer");
  const button = form.querySelector("button[type=submit]");
  const restart = document.getElementById("new-conversation");
  const status = document.getElementById("ask-status");
  let conversationId = null;
  let turns = 0;

  // Icons are drawn, not emoji, so they show without an emoji font (paths: Material Icons, Apache-2.0).
  const ICONS = {
    up:
      "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 " +
      "7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down:
      "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 " +
      ".41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
  };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  // Answer text: "[n]" markers become links to the n-th source; everything else is text (never HTML).
  function inline(node, text, citations) {
    const parts = text.split(/(\[\d+\])/);
    parts.forEach((part) => {
      const m = /^\[(\d+)\]$/.exec(part);
      const c = m && citations[Number(m[1]) - 1];
      if (c) node.append(el("a", { href: c.url, class: "cite", "aria-label": T.source + " " + m[1] }, part));
      else if (part) node.append(document.createTextNode(part));
    });
    return node;
  }

  function cells(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((s) => s.trim());
  }

  // Structure the composer writes: "- item" lists, "1. step" lists, "| a | b |" tables, plain lines.
  function structured(text, citations) {
    const wrap = el("div", { class: "text" });
    const lines = text.split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^\s*\|.*\|\s*(\[\d+\])?\s*$/.test(line)) {
        const rows = [];
        while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(lines[i++]);
        const marker = /(\[\d+\])\s*$/.exec(rows[rows.length - 1]);
        const body = rows.map((r) => r.replace(/\s*\[\d+\]\s*$/, "")).filter((r) => !/^\s*\|[\s:|-]+\|\s*$/.test(r));
        const table = el("table");
        const hasHeader = rows.length > 1 && /^\s*\|[\s:|-]+\|\s*$/.test(rows[1]);
        body.forEach((row, n) => {
          const tr = el("tr");
          cells(row).forEach((cell) => tr.append(inline(el(hasHeader && n === 0 ? "th" : "td", hasHeader && n === 0 ? { scope: "col" } : {}), cell, citations)));
          (hasHeader && n === 0 ? table.createTHead() : table.tBodies[0] || table.appendChild(el("tbody"))).append(tr);
        });
        const box = el("div", { class: "table-wrap" });
        box.append(table);
        if (marker) box.append(inline(el("p", { class: "table-source" }), marker[1], citations));
        wrap.append(box);
        continue;
      }
      const bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
      const step = /^\s*(\d+)[.)]\s+(.*)$/.exec(line);
      if (bullet || step) {
        const list = el(bullet ? "ul" : "ol");
        if (step && step[1] !== "1") list.setAttribute("start", step[1]);
        while (i < lines.length) {
          const m = bullet ? /^\s*[-*•]\s+(.*)$/.exec(lines[i]) : /^\s*\d+[.)]\s+(.*)$/.exec(lines[i]);
          if (!m) break;
          list.append(inline(el("li"), m[1], citations));
          i++;
        }
        wrap.append(list);
        continue;
      }
      if (line.trim()) wrap.append(inline(el("p"), line, citations));
      i++;
    }
    return wrap;
  }

  function badge(c) {
    if (c.expired) return el("span", { class: "badge danger" }, T.expired);
    if (c.stale) return el("span", { class: "badge warn" }, T.stale);
    return null;
  }

  function citationList(items, heading) {
    const wrap = el("div", { class: "citations" });
    wrap.appendChild(el("h3", {}, heading));
    const list = el("ol");
    items.forEach((c) => {
      const li = el("li");
      li.append(el("a", { href: c.url }, c.title + (c.heading ? " – " + c.heading : "")));
      const b = badge(c);
      if (b) li.append(" ", b);
      list.appendChild(li);
    });
    wrap.appendChild(list);
    return wrap;
  }

  function turn(question) {
    turns += 1;
    const item = el("li", { class: "turn" });
    item.append(el("h2", { class: "visually-hidden" }, T.turn + " " + turns));
    const asked = el("div", { class: "question" });
    asked.append(el("span", { class: "who" }, T.you), el("p", {}, question));
    const reply = el("div", { class: "reply", "aria-busy": "true" });
    reply.append(el("p", { class: "pending" }, T.loading));
    item.append(asked, reply);
    out.append(item);
    return reply;
  }

  function show(reply, answer) {
    reply.replaceChildren();
    reply.removeAttribute("aria-busy");
    reply.dataset.answerId = answer.answer_id;
    reply.append(el("span", { class: "who" }, T.assistant));
    if (answer.follow_up) reply.append(el("p", { class: "follow-up" }, T.follow_up));
    const text = structured(answer.text, answer.citations);
    if (!answer.answered) text.classList.add("abstain");
    reply.append(text);
    answer.notes.forEach((n) => reply.append(el("p", { class: "badge warn note" }, n)));
    if (answer.citations.length) reply.append(citationList(answer.citations, T.sources));
    if (answer.suggestions.length) reply.append(citationList(answer.suggestions, T.suggestions));
    reply.append(feedback(answer.answer_id));
    document.dispatchEvent(new CustomEvent("assistant:answer", { detail: answer }));
  }

  // Rating: thumbs up is sent at once; thumbs down asks for a reason and an optional comment first.
  function feedback(answerId) {
    const group = el("div", { class: "feedback", role: "group", "aria-label": T.helpful });
    const note = el("p", { class: "feedback-status", role: "status" });
    const up = el("button", { type: "button", class: "secondary rate", "aria-label": T.rate_up });
    up.append(icon("up"), el("span", {}, T.yes));
    const down = el("button", { type: "button", class: "secondary rate", "aria-label": T.rate_down, "aria-expanded": "false" });
    down.append(icon("down"), el("span", {}, T.no));
    group.append(el("span", {}, T.helpful + " "), up, down);

    async function send(body) {
      note.textContent = "";
      try {
        const response = await fetch("/api/answers/" + encodeURIComponent(answerId) + "/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(await errorText(response, T.feedback_error));
        group.replaceChildren(el("p", { role: "status" }, T.thanks));
      } catch (err) {
        note.textContent = err.message || T.feedback_error;
        note.setAttribute("role", "alert");
      }
    }

    up.addEventListener("click", () => send({ rating: "up" }));
    down.addEventListener("click", () => {
      if (group.querySelector("form")) return;
      down.setAttribute("aria-expanded", "true");
      const details = el("form", { class: "feedback-form" });
      const select = el("select", { id: "reason-" + answerId, name: "reason" });
      T.reasons.split("|").forEach((pair) => {
        const [value, label] = pair.split("=");
        select.appendChild(el("option", { value }, label));
      });
      const comment = el("textarea", { id: "comment-" + answerId, name: "comment", rows: "2", maxlength: "4000" });
      details.append(
        el("label", { for: select.id }, T.reason), select,
        el("label", { for: comment.id }, T.comment), comment,
        el("button", { type: "submit" }, T.send),
      );
      details.addEventListener("submit", (event) => {
        event.preventDefault();
        send({ rating: "down", reason: select.value, comment: comment.value.trim() || null });
      });
      group.appendChild(details);
      select.focus();
    });
    group.appendChild(note);
    return group;
  }

  // The server's own message (in the page's language) when it sent one, else the general one.
  async function errorText(response, fallback) {
    try {
      const body = await response.json();
      return (body.error && body.error.message) || fallback;
    } catch (err) {
      return fallback;
    }
  }

  function busy(on) {
    button.disabled = on;
    button.setAttribute("aria-disabled", on ? "true" : "false");
    button.classList.toggle("busy", on);
    button.lastChild.textContent = on ? T.loading : T.ask;
    status.textContent = on ? T.loading : "";
  }

  form.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  restart.addEventListener("click", () => {
    conversationId = null;
    turns = 0;
    out.replaceChildren();
    restart.hidden = true;
    status.textContent = T.cleared;
    form.question.value = "";
    form.question.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.question.value.trim();
    if (!question || button.disabled) return;
    busy(true);
    const reply = turn(question);
    restart.hidden = false;
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          question,
          conversation_id: conversationId,
          language: form.dataset.lang,
          channel: "web",
          as_of: (form.as_of && form.as_of.value) || null,
        }),
      });
      if (!response.ok) throw new Error(await errorText(response, T.error));
      const answer = await response.json();
      conversationId = answer.conversation_id;
      form.question.value = "";
      show(reply, answer);
    } catch (err) {
      reply.removeAttribute("aria-busy");
      reply.replaceChildren(el("p", { class: "badge danger", role: "alert" }, err.message || T.error));
    } finally {
      busy(false);
    }
  });
})();
