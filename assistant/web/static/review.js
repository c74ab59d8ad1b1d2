// Review pages: status changes, bulk actions, eval cases and the test period, through the JSON API.
// No inline script (CSP). Every failure is shown to the user (role=alert); nothing claims success unless
// the server said so.
(function () {
  "use strict";

  function status(form) {
    return form.querySelector(".form-status") || document.getElementById("eval-list-status");
  }

  function say(form, text, failed) {
    const out = status(form);
    if (!out) return;
    out.textContent = text;
    out.setAttribute("role", failed ? "alert" : "status");
    out.classList.toggle("error", Boolean(failed));
  }

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return {};
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (!response.ok) {
      const message = data && data.error ? data.error.message : String(response.status);
      throw new Error(message);
    }
    return data;
  }

  async function run(form, action) {
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await action();
    } catch (err) {
      say(form, form.dataset.error + " (" + err.message + ")", true);
    } finally {
      if (button) button.disabled = false;
    }
  }

  // One item: status, assignee, note.
  const itemForm = document.getElementById("item-form");
  if (itemForm) {
    const save = (extra) => run(itemForm, async () => {
      const body = Object.assign({
        status: itemForm.status.value,
        assignee: itemForm.assignee.value,
        resolution_note: itemForm.resolution_note.value,
      }, extra || {});
      const item = await send("PATCH", "/api/review/items/" + itemForm.dataset.itemId, body);
      const shown = document.getElementById("item-status");
      shown.textContent = itemForm.status.options[itemForm.status.selectedIndex].text;
      shown.className = "status " + item.status;
      document.getElementById("item-assignee").textContent = item.assignee || "–";
      itemForm.assignee.value = item.assignee || "";
      say(itemForm, itemForm.dataset.saved, false);
    });
    itemForm.addEventListener("submit", (event) => { event.preventDefault(); save(); });
    const owner = document.getElementById("assign-owner");
    if (owner) owner.addEventListener("click", () => save({ assign_to_owner: true, assignee: null }));
  }

  // The queue: select all, and one change to every selected item.
  const bulk = document.getElementById("bulk-form");
  if (bulk) {
    const all = document.getElementById("select-all");
    const boxes = () => Array.from(bulk.querySelectorAll("input[name=ids]"));
    if (all) all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
    bulk.addEventListener("submit", (event) => {
      event.preventDefault();
      const ids = boxes().filter((b) => b.checked).map((b) => b.value);
      if (!ids.length) { say(bulk, bulk.dataset.none, true); return; }
      const body = { ids, assign_to_owner: bulk.assign_to_owner.checked };
      if (bulk.status.value) body.status = bulk.status.value;
      if (bulk.resolution_note.value.trim()) body.resolution_note = bulk.resolution_note.value;
      run(bulk, async () => {
        const result = await send("POST", "/api/review/items/bulk", body);
        say(bulk, bulk.dataset.saved + " (" + result.changed + ")", false);
        window.setTimeout(() => window.location.reload(), 600);
      });
    });
  }

  // Turn a question into an eval case.
  const evalForm = document.getElementById("eval-form");
  if (evalForm) {
    evalForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const shouldAnswer = evalForm.querySelector("input[name=should_answer]:checked").value === "true";
      const targets = Array.from(evalForm.querySelectorAll("input[name=targets]:checked")).map((b) => b.value);
      if (evalForm.other.value.trim()) targets.push(evalForm.other.value.trim());
      run(evalForm, async () => {
        const made = await send("POST", "/api/review/eval-cases", {
          question: evalForm.question.value,
          targets: shouldAnswer ? targets : [],
          should_answer: shouldAnswer,
          source_item: evalForm.dataset.sourceItem,
        });
        say(evalForm, evalForm.dataset.saved + " " + made.id, false);
      });
    });
  }

  // Delete an eval case from the list. The first click asks (the button becomes "Ja, ta bort" beside "Avbryt").
  document.querySelectorAll(".delete-case").forEach((button) => {
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const table = button.closest("table");
      if (!button.dataset.armed) {
        button.dataset.armed = "1";
        button.textContent = table.dataset.confirmYes;
        const cancel = document.createElement("button");
        cancel.type = "button";
        cancel.className = "secondary cancel-delete";
        cancel.textContent = table.dataset.cancel;
        cancel.addEventListener("click", () => {
          delete button.dataset.armed;
          button.textContent = label;
          cancel.remove();
          say(table, "", false);
          button.focus();
        });
        button.after(cancel);
        say(table, button.dataset.confirm, false);
        return;
      }
      try {
        await send("DELETE", "/api/review/eval-cases/" + button.dataset.caseId);
        button.closest("tr").remove();
        say(table, table.dataset.deleted, false);
      } catch (err) {
        say(table, table.dataset.error + " (" + err.message + ")", true);
      }
    });
  });

  // The test period (admins).
  const periodForm = document.getElementById("period-form");
  if (periodForm) {
    periodForm.addEventListener("submit", (event) => {
      event.preventDefault();
      run(periodForm, async () => {
        await send("PUT", "/api/test-period", { starts_on: periodForm.starts_on.value, ends_on: periodForm.ends_on.value });
        say(periodForm, periodForm.dataset.saved, false);
        window.setTimeout(() => window.location.reload(), 600);
      });
    });
  }
})();
