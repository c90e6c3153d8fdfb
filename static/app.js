// Drag glue: an adapter chip (or a VM card, meaning its first adapter) dropped on a network zone is
// attached there through the same change the API makes. Everything else is htmx.
(function () {
  "use strict";
  const MIME = "application/x-vnetlab-adapter";

  function workspace() {
    return document.getElementById("workspace");
  }

  // A form that asks first (data-confirm): no inline onsubmit handlers, which the Content-Security-Policy forbids.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // A matrix cell: show the way, or why not (one listener for every cell of the table).
  document.addEventListener("click", function (event) {
    const cell = event.target.closest && event.target.closest("td[data-from][data-to]");
    const table = cell && cell.closest("table[data-pair-url]");
    if (!table) return;
    const query = new URLSearchParams({ from: cell.dataset.from, to: cell.dataset.to });
    htmx.ajax("GET", table.dataset.pairUrl + "?" + query.toString(), { target: "#pair", swap: "innerHTML" });
  });

  // Back never shows a stale lab (SPEC §13): a page the browser restores from its back-forward cache is fetched
  // again (pages are sent with Cache-Control: no-store, so its HTTP cache has none to show).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && workspace()) window.location.reload();
  });

  // Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo — unless a text field has the focus (it keeps its own undo).
  function typing(element) {
    if (!element) return false;
    const tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || typing(document.activeElement)) return;
    const key = event.key.toLowerCase();
    const action = key === "z" ? (event.shiftKey ? "redo" : "undo") : key === "y" ? "redo" : null;
    if (!action) return;
    const button = document.querySelector('[data-action="' + action + '"]');
    if (!button) return;
    event.preventDefault();
    if (button.disabled) return;
    // Sent directly rather than by clicking: a button swapped in a moment ago may not be wired by htmx yet.
    htmx.ajax("POST", button.getAttribute("hx-post"), {
      target: "#workspace",
      swap: "outerHTML",
      values: JSON.parse(button.getAttribute("hx-vals")),
    });
  });

  // What a version changed (the history panel's diff): its adapters are marked on the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "history-diff") return;
    const diff = event.detail.target.querySelector("[data-changed-adapters]");
    const changed = new Set(diff ? diff.dataset.changedAdapters.split("\n").filter(Boolean) : []);
    document.querySelectorAll("[data-adapter]").forEach(function (chip) {
      chip.classList.toggle("changed", changed.has(chip.dataset.adapter));
    });
  });

  document.addEventListener("dragstart", function (event) {
    const chip = event.target.closest && event.target.closest("[data-adapter-id]");
    const vm = event.target.closest && event.target.closest("[data-first-adapter]");
    const id = chip ? chip.dataset.adapterId : vm ? vm.dataset.firstAdapter : "";
    if (!id) return;
    event.dataTransfer.setData(MIME, id);
    event.dataTransfer.setData("text/plain", id);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    const zone = event.target.closest && event.target.closest("[data-network-id]");
    if (!zone) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    const zone = event.target.closest && event.target.closest("[data-network-id]");
    if (zone) zone.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    const zone = event.target.closest && event.target.closest("[data-network-id]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("drop-target");
    const adapterId = event.dataTransfer.getData(MIME) || event.dataTransfer.getData("text/plain");
    const ws = workspace();
    if (!adapterId || !ws) return;
    htmx.ajax("POST", "/labs/" + ws.dataset.lab + "/attach", {
      target: "#workspace",
      swap: "outerHTML",
      values: { adapter_id: adapterId, network_id: zone.dataset.networkId, version: ws.dataset.version },
    });
  });
})();
