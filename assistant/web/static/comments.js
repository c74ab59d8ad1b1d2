// Page comments during the test period: one form under the page, and a "comment on this section" button
// after each section heading that points the form at that section. No inline script (CSP).
(function () {
  "use strict";
  const form = document.getElementById("comment-form");
  if (!form) return;
  const out = form.querySelector(".form-status");

  function say(text, failed) {
    out.textContent = text;
    out.setAttribute("role", failed ? "alert" : "status");
    out.classList.toggle("error", Boolean(failed));
  }

  document.querySelectorAll(".guidance .body h2[id], .guidance .body h3[id]").forEach((heading) => {
    const option = form.section.querySelector('option[value="' + CSS.escape(heading.id) + '"]');
    if (!option) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary comment-here";
    button.textContent = form.dataset.commentOn;
    button.setAttribute("aria-label", form.dataset.commentOn + ": " + heading.textContent);
    button.addEventListener("click", () => {
      form.section.value = heading.id;
      form.comment.focus();
    });
    heading.insertAdjacentElement("afterend", button);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch("/api/pages/" + encodeURIComponent(form.dataset.pageId) + "/comments", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          comment: form.comment.value,
          section: form.section.value,
          page_version: form.dataset.pageVersion,
        }),
      });
      let data = null;
      try { data = await response.json(); } catch (err) { data = null; }
      if (!response.ok || !data || !data.saved) {
        const message = data && data.error ? data.error.message : String(response.status);
        throw new Error(message);
      }
      form.comment.value = "";
      say(form.dataset.saved, false);
    } catch (err) {
      say(form.dataset.error + " (" + err.message + ")", true);  // the text stays in the field to try again
    } finally {
      button.disabled = false;
    }
  });
})();
