// Start page: ask through the JSON API and show the answer with its sources. No inline script (CSP).
(function () {
  "use strict";
  const form = document.getElementById("ask-form");
  if (!form) return;
  const out = document.getElementById("answer");
  let conversationId = null;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function citationList(items, heading) {
    const wrap = el("div", { class: "citations" });
    wrap.appendChild(el("h2", {}, heading));
    const list = el("ol");
    items.forEach((c) => {
      const li = el("li");
      const a = el("a", { href: c.url }, c.title + (c.heading ? " – " + c.heading : ""));
      li.appendChild(a);
      if (c.stale) li.appendChild(el("span", { class: "badge warn" }, " !"));
      list.appendChild(li);
    });
    wrap.appendChild(list);
    return wrap;
  }

  function show(answer) {
    out.replaceChildren();
    out.dataset.answerId = answer.answer_id;
    const text = el("p", { class: "text" + (answer.answered ? "" : " abstain") }, answer.text);
    out.appendChild(text);
    answer.notes.forEach((n) => out.appendChild(el("p", { class: "badge warn" }, n)));
    if (answer.citations.length) out.appendChild(citationList(answer.citations, form.dataset.sources));
    if (answer.suggestions.length) out.appendChild(citationList(answer.suggestions, form.dataset.suggestions));
    out.appendChild(feedback(answer.answer_id));
    document.dispatchEvent(new CustomEvent("assistant:answer", { detail: answer }));
  }

  // Rating: thumbs up is sent at once; thumbs down asks for a reason and an optional comment first.
  function feedback(answerId) {
    const d = form.dataset;
    const group = el("div", { class: "feedback", role: "group", "aria-label": d.helpful });
    const status = el("p", { class: "feedback-status", role: "status" });
    const up = el("button", { type: "button", class: "secondary", "aria-label": d.rateUp }, "👍 " + d.yes);
    const down = el("button", { type: "button", class: "secondary", "aria-label": d.rateDown, "aria-expanded": "false" },
      "👎 " + d.no);
    group.append(el("span", {}, d.helpful + " "), up, down);

    async function send(body) {
      status.textContent = "";
      try {
        const response = await fetch("/api/answers/" + encodeURIComponent(answerId) + "/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(String(response.status));
        group.replaceChildren(el("p", { role: "status" }, d.thanks));
      } catch (err) {
        status.textContent = d.feedbackError;
        status.setAttribute("role", "alert");
      }
    }

    up.addEventListener("click", () => send({ rating: "up" }));
    down.addEventListener("click", () => {
      if (group.querySelector("form")) return;
      down.setAttribute("aria-expanded", "true");
      const details = el("form", { class: "feedback-form" });
      const select = el("select", { id: "reason-" + answerId, name: "reason" });
      d.reasons.split("|").forEach((pair) => {
        const [value, label] = pair.split("=");
        select.appendChild(el("option", { value }, label));
      });
      const comment = el("textarea", { id: "comment-" + answerId, name: "comment", rows: "2", maxlength: "4000" });
      details.append(
        el("label", { for: select.id }, d.reason), select,
        el("label", { for: comment.id }, d.comment), comment,
        el("button", { type: "submit" }, d.send),
      );
      details.addEventListener("submit", (event) => {
        event.preventDefault();
        send({ rating: "down", reason: select.value, comment: comment.value.trim() || null });
      });
      group.appendChild(details);
      select.focus();
    });
    group.appendChild(status);
    return group;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.question.value.trim();
    if (!question) return;
    out.replaceChildren(el("p", {}, form.dataset.loading));
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          question,
          conversation_id: conversationId,
          language: form.dataset.lang,
          channel: "web",
          as_of: (form.as_of && form.as_of.value) || null,
        }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      conversationId = answer.conversation_id;
      show(answer);
    } catch (err) {
      out.replaceChildren(el("p", { class: "badge danger", role: "alert" }, form.dataset.error));
    }
  });
})();
