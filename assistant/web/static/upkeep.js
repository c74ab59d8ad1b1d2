// Index versions page: one-action rollback through the JSON API (the same lock as an ingest).
(() => {
  const status = document.getElementById("rollback-status");
  document.querySelectorAll("button.rollback").forEach((button) => {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const response = await fetch("/api/index/rollback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ version: button.dataset.version }),
        });
        const body = await response.json();
        if (!response.ok) throw new Error((body.error && body.error.message) || String(response.status));
        status.className = "badge ok";
        status.textContent = button.dataset.done.replace("{version}", body.version);
        setTimeout(() => window.location.reload(), 600);
      } catch (err) {
        status.className = "badge danger";
        status.textContent = button.dataset.failed.replace("{error}", err.message);
        button.disabled = false;
      }
    });
  });
})();
