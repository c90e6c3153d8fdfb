// The editor's own script: the diagram (pan, zoom, fit, find; dragging adapters, VMs and hosts with Pointer
// Events, so mouse, pen and touch alike; the keyboard's network list), the queue that sends changes one after
// another — each with the version the previous one produced — and the patches that answer them (only the
// parts of the page that changed, see app/web/patches.py). Requests themselves are htmx's or fetch's.
(function () {
  "use strict";
  const LAYERS = ["hosts", "lans", "buses", "links", "nodes", "legend"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const DRAG_THRESHOLD = 5; // px: less is a click
  const state = {
    selected: null,
    marked: false,
    view: null,
    bounds: null,
    drag: null,
    pointers: new Map(),
    pinch: null,
    follow: null,
    followTimer: 0,
    following: false,
  };

  function workspace() {
    return document.getElementById("workspace");
  }
  // A page opened with the view key (SPEC §12): it pans, zooms, selects and opens VMs, and changes nothing.
  function readOnly() {
    const ws = workspace();
    return Boolean(ws) && ws.dataset.mode === "view";
  }
  function diagram() {
    return document.getElementById("diagram");
  }
  function labUrl(path) {
    return "/labs/" + workspace().dataset.lab + path;
  }

  // ---- The change queue: one change at a time, each sent with the version the page shows by then. ----
  let queue = Promise.resolve();
  let pending = 0;

  function setBusy(busy) {
    const ws = workspace();
    const status = document.getElementById("busy");
    if (!ws || !status) return;
    // Only the indicator changes look: a class on the workspace would restyle its ten thousand elements.
    ws.setAttribute("aria-busy", busy ? "true" : "false");
    status.classList.toggle("working", busy);
    status.textContent = busy ? (pending > 1 ? "Saving " + pending + " changes…" : "Saving…") : "";
  }

  function enqueue(job) {
    clearTimeout(state.followTimer);
    pending += 1;
    setBusy(true);
    queue = queue
      .then(job)
      .catch(function (error) {
        showProblem("Not saved: " + error.message + ". Reload the page to see the lab as it is.");
      })
      .finally(function () {
        pending -= 1;
        setBusy(pending > 0);
        if (pending === 0) followSoon();
      });
    return queue;
  }

  // The matrix waits until changes pause for a moment: a drop made right after another is not kept waiting
  // for the server to work out every pair in between.
  const FOLLOW_DELAY = 250; // ms
  function followSoon() {
    clearTimeout(state.followTimer);
    state.followTimer = setTimeout(fetchFollow, FOLLOW_DELAY);
  }

  // A change answers without the matrix and says where it is (app/web/patches.py): fetched once the changes
  // made in a row are all answered (a burst of drops costs one matrix), one request at a time, beside the
  // queue — a change made meanwhile does not wait for it.
  function fetchFollow() {
    const url = state.follow;
    if (!url || pending > 0 || state.following) return;
    state.follow = null;
    state.following = true;
    fetch(url, { headers: baseHeaders() })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (text) {
        if (text) applyPatch(text, false);
      })
      .catch(function () {
        state.follow = state.follow || url; // asked again after the next change
      })
      .finally(function () {
        state.following = false;
        if (state.follow) fetchFollow();
      });
  }

  function baseHeaders() {
    const ws = workspace();
    return { "X-Vnetlab-Base": ws.dataset.version, "X-Vnetlab-Matrix": ws.dataset.matrixVersion, "HX-Request": "true" };
  }

  function send(method, path, values) {
    return enqueue(function () {
      const body = new URLSearchParams(Object.assign({}, values || {}, { version: workspace().dataset.version }));
      return fetch(labUrl(path), { method: method, headers: baseHeaders(), body: method === "GET" ? null : body })
        .then(function (response) {
          if (!response.ok) throw new Error("the server answered " + response.status);
          return response.text();
        })
        .then(function (text) {
          applyPatch(text, true);
        });
    });
  }

  function showProblem(message) {
    const header = document.getElementById("lab-header");
    if (!header) return;
    let flash = header.querySelector(".flash.script");
    if (!flash) {
      flash = document.createElement("div");
      flash.className = "flash error script";
      flash.setAttribute("role", "alert");
      header.insertBefore(flash, header.querySelector(".toolbar"));
    }
    flash.textContent = message;
  }

  // ---- Patches: replace the parts that changed, keep focus, view and selection. ----
  const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]";

  function focusKey() {
    const active = document.activeElement;
    if (!active || active === document.body) return null;
    const panel = document.getElementById("panel");
    if (panel && panel.contains(active) && !active.id) {
      // In a panel drawn again (brought up to date): the same control, by its place among the panel's controls.
      return { inPanel: Array.from(panel.querySelectorAll(FOCUSABLE)).indexOf(active) };
    }
    if (active.dataset && active.dataset.adapter) return '[data-adapter="' + CSS.escape(active.dataset.adapter) + '"]';
    if (active.dataset && active.dataset.action) return '[data-action="' + CSS.escape(active.dataset.action) + '"]';
    if (active.id) return "#" + CSS.escape(active.id);
    if (active.dataset && active.dataset.from) {
      return '[data-from="' + CSS.escape(active.dataset.from) + '"][data-to="' + CSS.escape(active.dataset.to) + '"]';
    }
    return null;
  }

  function applyPatch(text, afterChange) {
    const parsed = new DOMParser().parseFromString(text, "text/html");
    const root = parsed.querySelector("[data-patch]");
    const ws = workspace();
    if (!root || !ws) return false;
    const key = focusKey();
    const hadFocus = document.activeElement;
    const openPanel = document.getElementById("panel");
    const shownPanel = openPanel && !openPanel.hidden ? openPanel.dataset.panel : null;
    if (root.dataset.full === "true") {
      LAYERS.forEach(function (layer) {
        const element = document.getElementById("layer-" + layer);
        if (element) element.replaceChildren();
      });
    }
    root.dataset.removed.split(" ").forEach(function (id) {
      const gone = id && document.getElementById(id);
      if (gone) gone.remove();
    });
    const svgParts = root.querySelector("svg[data-svg-parts]");
    Array.from(svgParts ? svgParts.children : []).forEach(function (part) {
      const fresh = document.importNode(part, true);
      const old = document.getElementById(part.id);
      if (old) old.replaceWith(fresh);
      else {
        const layer = document.getElementById("layer-" + part.dataset.layer);
        if (layer) layer.appendChild(fresh);
      }
    });
    if (svgParts) svgParts.remove();
    let panelCame = false;
    root.querySelectorAll("table[data-cells] :is(td, th)[id]").forEach(function (cell) {
      const old = document.getElementById(cell.id);
      if (old) old.replaceWith(document.importNode(cell, true));
    });
    root.querySelectorAll("table[data-cells]").forEach(function (wrapper) {
      wrapper.remove();
    });
    Array.from(root.children).forEach(function (part) {
      const old = part.id && document.getElementById(part.id);
      if (!old) return;
      const fresh = document.importNode(part, true);
      old.replaceWith(fresh);
      if (part.id === "panel") panelCame = true;
      htmx.process(fresh);
    });
    if (root.dataset.version) ws.dataset.version = root.dataset.version;
    if (root.dataset.matrixVersion) ws.dataset.matrixVersion = root.dataset.matrixVersion;
    if (root.dataset.follow) {
      state.follow = root.dataset.follow;
      if (pending === 0) followSoon();
    }
    updateBounds(false);
    if (panelCame) panelOpened(shownPanel);
    else if (afterChange) refreshAfterChange();
    if (state.selected || state.marked) markSelection();
    if (root.querySelector("#matrix-section, table[data-cells]")) rovingCells();
    if (key && (!hadFocus || !hadFocus.isConnected || document.activeElement === document.body)) {
      const panel = document.getElementById("panel");
      const again =
        typeof key === "string"
          ? document.querySelector(key)
          : panel && !panel.hidden
            ? panel.querySelectorAll(FOCUSABLE)[key.inPanel]
            : null;
      if (again) again.focus({ preventScroll: true });
    }
    return true;
  }

  function refreshAfterChange() {
    const panel = document.getElementById("panel");
    if (panel && !panel.hidden && panel.dataset.refresh) {
      htmx.ajax("GET", panel.dataset.refresh, { swap: "none" });
    }
    const history = document.getElementById("history");
    if (history && history.open) {
      htmx.ajax("GET", labUrl("/history"), { target: "#history-list", swap: "innerHTML" });
    }
  }

  // htmx: every request says which version the page shows; changes wait their turn in the queue.
  const waiting = new Map();
  document.addEventListener("htmx:configRequest", function (event) {
    const ws = workspace();
    if (!ws) return;
    Object.assign(event.detail.headers, baseHeaders());
    if (event.detail.elt.closest("[data-change]")) event.detail.parameters.version = ws.dataset.version;
  });
  document.addEventListener("htmx:confirm", function (event) {
    const element = event.detail.elt;
    if (!element.closest || !element.closest("[data-change]") || !workspace()) return;
    event.preventDefault();
    if (event.detail.question && !window.confirm(event.detail.question)) return;
    enqueue(function () {
      return new Promise(function (resolve) {
        waiting.set(element, resolve);
        event.detail.issueRequest(true);
      });
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const xhr = event.detail.xhr;
    const text = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
    const element = event.detail.elt;
    const change = element && element.closest && element.closest("[data-change]");
    if (text.startsWith("<div data-patch")) applyPatch(text, Boolean(change));
    else if (change && !event.detail.successful) showProblem("Not saved: the server answered " + xhr.status + ".");
    const resolve = waiting.get(element);
    if (resolve) {
      waiting.delete(element);
      resolve();
    }
  });

  // A panel came: its first field or its close button gets the focus — unless it is the panel that was open,
  // brought up to date after a change (the focus stays where it was); a VM panel selects its VM.
  function panelOpened(shownPanel) {
    const panel = document.getElementById("panel");
    if (!panel || panel.hidden) return;
    if (panel.dataset.selected) state.selected = panel.dataset.selected;
    if (shownPanel && shownPanel === panel.dataset.panel && panel.dataset.panel !== "form") return;
    const first = panel.querySelector(".has-error input, .has-error select, input:not([type=hidden]), select, textarea");
    const target = first || panel.querySelector(".close");
    if (target && !panel.contains(document.activeElement)) target.focus({ preventScroll: true });
  }

  function closePanel() {
    const panel = document.getElementById("panel");
    if (panel) {
      panel.hidden = true;
      panel.replaceChildren();
      delete panel.dataset.refresh;
      delete panel.dataset.selected;
    }
    clearSelection();
  }

  // ---- Selection: what the selected VM can open a connection to (data-reach on every other node). ----
  function clearSelection() {
    state.selected = null;
    markSelection();
  }

  function markSelection() {
    state.marked = state.selected !== null;
    const list = document.querySelector("#reach-list ul.reach");
    const from = list && list.dataset.reachFrom === state.selected ? list : null;
    const answers = new Map();
    if (from) {
      from.querySelectorAll("li[data-to]").forEach(function (item) {
        answers.set(item.dataset.to, item);
      });
    }
    document.querySelectorAll("#diagram [data-node]").forEach(function (node) {
      const item = answers.get(node.dataset.node);
      const mark = node.querySelector(".reach-mark");
      node.classList.toggle("selected", state.selected !== null && node.dataset.node === state.selected);
      if (!item) {
        node.removeAttribute("data-reach");
        node.removeAttribute("aria-description");
        if (mark) mark.textContent = "";
        return;
      }
      const yes = item.dataset.reach === "yes";
      node.dataset.reach = yes ? "yes" : "no";
      const reason = item.dataset.reason;
      const description = yes
        ? state.selected + " can reach it"
        : state.selected + " cannot reach it: " + reason;
      node.setAttribute("aria-description", description);
      if (mark) {
        mark.textContent = yes ? "✓ reachable" : "✗ " + shortReason(item);
        let title = mark.querySelector("title");
        if (!title) {
          title = document.createElementNS(SVG_NS, "title");
          mark.appendChild(title);
        }
        title.textContent = description;
      }
    });
  }

  function shortReason(item) {
    const code = item.querySelector("[data-reason-code]");
    return code ? code.dataset.reasonCode : "not reachable";
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "reach-list") markSelection();
    if (event.detail.target && event.detail.target.id === "matrix-detail") rovingCells();
    if (event.detail.target && event.detail.target.id === "history-diff") markChangedAdapters(event.detail.target);
  });

  function markChangedAdapters(target) {
    const diff = target.querySelector("[data-changed-adapters]");
    const changed = new Set(diff ? diff.dataset.changedAdapters.split("\n").filter(Boolean) : []);
    document.querySelectorAll("[data-adapter]").forEach(function (adapter) {
      adapter.classList.toggle("changed", changed.has(adapter.dataset.adapter));
    });
  }

  // ---- The view: pan, zoom, fit and find. ----
  function bounds() {
    const template = document.getElementById("diagram-bounds");
    const source = template ? template.dataset.bounds : diagram().dataset.bounds;
    const numbers = source.split(" ").map(Number);
    return { x: numbers[0], y: numbers[1], w: numbers[2], h: numbers[3] };
  }

  function setView(view, chosen) {
    if (chosen) state.viewChosen = true;
    state.view = view;
    diagram().setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  }

  function fit() {
    state.viewChosen = "fit"; // and it stays the whole diagram as the diagram changes
    setView(bounds());
  }

  // The first view: the whole diagram when it reads at that size; else its top left corner at a readable
  // scale (a 200-VM lab fitted in a window is dots) — Fit shows the whole anyway.
  const READABLE_SCALE = 0.55;
  function firstView() {
    const whole = bounds();
    const box = diagram().getBoundingClientRect();
    if (!box.width || !box.height) return whole;
    const scale = Math.min(box.width / whole.w, box.height / whole.h);
    if (scale >= READABLE_SCALE) return whole;
    return { x: whole.x, y: whole.y, w: box.width / READABLE_SCALE, h: box.height / READABLE_SCALE };
  }

  // Until someone zooms, pans or finds, the view follows the diagram as it grows or shrinks.
  // A new view box lays the whole drawing out again: set only when the diagram's bounds did change.
  function updateBounds(initial) {
    if (!diagram()) return;
    const now = JSON.stringify(bounds());
    if (!initial && now === state.bounds) return;
    state.bounds = now;
    if (state.viewChosen === "fit") setView(bounds());
    else if (initial || !state.view || !state.viewChosen) setView(firstView());
  }

  function toDiagram(clientX, clientY) {
    const matrix = diagram().getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  function zoomAt(factor, clientX, clientY) {
    const view = state.view || bounds();
    const whole = bounds();
    const width = Math.min(Math.max(view.w * factor, 120), Math.max(whole.w, whole.h) * 3);
    const actual = width / view.w;
    const point = toDiagram(clientX, clientY);
    setView(
      {
        x: point.x - (point.x - view.x) * actual,
        y: point.y - (point.y - view.y) * actual,
        w: view.w * actual,
        h: view.h * actual,
      },
      true
    );
  }

  function zoomCentre(factor) {
    const box = diagram().getBoundingClientRect();
    zoomAt(factor, box.left + box.width / 2, box.top + box.height / 2);
  }

  function centreOn(element) {
    const box = element.getBBox();
    const view = state.view || bounds();
    const width = Math.min(view.w, 1400);
    const height = (view.h * width) / view.w;
    setView({ x: box.x + box.width / 2 - width / 2, y: box.y + box.height / 2 - height / 2, w: width, h: height }, true);
  }

  function findVm(query) {
    const wanted = query.trim().toLowerCase();
    if (!wanted) return;
    const nodes = Array.from(document.querySelectorAll("#layer-nodes [data-node]"));
    const node =
      nodes.find(function (n) {
        return n.dataset.node.slice(3).toLowerCase() === wanted;
      }) ||
      nodes.find(function (n) {
        return n.dataset.node.toLowerCase().includes(wanted);
      });
    const input = document.querySelector("[data-find-vm]");
    if (!node) {
      if (input) input.setCustomValidity("No VM named like that");
      if (input) input.reportValidity();
      return;
    }
    if (input) input.setCustomValidity("");
    state.found = query;
    centreOn(node);
    node.focus({ preventScroll: true });
    openNode(node);
  }

  document.addEventListener("click", function (event) {
    const zoom = event.target.closest && event.target.closest("[data-zoom]");
    if (zoom) {
      if (zoom.dataset.zoom === "fit") fit();
      else zoomCentre(zoom.dataset.zoom === "in" ? 0.8 : 1.25);
      return;
    }
    if (event.target.closest && event.target.closest("[data-close-panel]")) {
      closePanel();
      return;
    }
    const undo = event.target.closest && event.target.closest("[data-action-send]");
    if (undo) {
      send("POST", "/" + undo.dataset.actionSend);
      return;
    }
    const cell = event.target.closest && event.target.closest("[data-from][data-to]");
    if (cell && cell.closest("#matrix-section")) {
      const query = new URLSearchParams({ from: cell.dataset.from, to: cell.dataset.to });
      htmx.ajax("GET", labUrl("/pair?" + query.toString()), { target: "#pair", swap: "innerHTML" });
      return;
    }
    const group = event.target.closest && event.target.closest("table.groups button.cell");
    if (group) {
      const row = group.closest("tr");
      const column = group.closest("table").tHead.rows[0].cells[group.closest("td").cellIndex];
      const query = new URLSearchParams({ from: row.dataset.group, to: column.dataset.group });
      htmx.ajax("GET", labUrl("/matrix?" + query.toString()), { target: "#matrix-detail", swap: "innerHTML" });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.matches && event.target.matches("[data-find-vm]") && event.key === "Enter") {
      event.preventDefault();
      findVm(event.target.value);
    }
  });
  // A name picked from the list (Enter already found a typed one: leaving the box must not find it again).
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-find-vm]")) return;
    if (event.target.value !== state.found) findVm(event.target.value);
  });

  // ---- What a click (or Enter) on a part of the diagram does. ----
  function openNode(node) {
    const part = node.dataset.part;
    const id = node.dataset.partId;
    if (part === "vm") {
      state.selected = node.dataset.node;
      markSelection();
      htmx.ajax("GET", labUrl("/panel/vm/" + id), { swap: "none" });
    } else if (!readOnly() && (part === "host" || part === "network" || part === "lan")) {
      htmx.ajax("GET", labUrl("/forms/" + part + "/" + id), { swap: "none" });
    }
  }

  // ---- Dragging: an adapter onto a network, a VM or a host to a new place, the background to pan. ----
  function dropTargetAt(clientX, clientY) {
    const hit = document.elementFromPoint(clientX, clientY);
    const network = hit && hit.closest && hit.closest("[data-network]");
    if (!network || network.matches("[data-link], [role=option]")) return null;
    return network;
  }

  function startDrag(event) {
    const target = event.target;
    const end = target.closest("[data-adapter-end]");
    const adapter = end ? end.closest("[data-link]").querySelector("[data-adapter]") : target.closest("[data-adapter]");
    const node = target.closest("#layer-nodes [data-node]");
    const host = target.closest("#layer-hosts [data-part=host]");
    const part = target.closest("[data-part]");
    const start = toDiagram(event.clientX, event.clientY);
    const drag = { id: event.pointerId, x: event.clientX, y: event.clientY, start: start, moved: false };
    if (readOnly()) {
      drag.kind = "pan"; // a click still opens what it is on (a VM's panel)
      drag.element = node || part;
      drag.view = Object.assign({}, state.view || bounds());
    } else if (adapter) {
      drag.kind = "adapter";
      drag.element = adapter;
      drag.link = adapter.closest("[data-link]");
    } else if (node) {
      drag.kind = "vm";
      drag.element = node;
    } else if (host) {
      drag.kind = "host";
      drag.element = host;
    } else {
      drag.kind = "pan";
      drag.element = part;
      drag.view = Object.assign({}, state.view || bounds());
    }
    return drag;
  }

  function moveDrag(drag, event) {
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    const now = toDiagram(event.clientX, event.clientY);
    const delta = { x: now.x - drag.start.x, y: now.y - drag.start.y };
    if (!drag.moved) beginDrag(drag);
    drag.moved = true;
    drag.delta = delta;
    if (drag.kind === "pan") {
      const scale = drag.view.w / diagram().getBoundingClientRect().width;
      setView({ x: drag.view.x - dx * scale, y: drag.view.y - dy * scale, w: drag.view.w, h: drag.view.h }, true);
    } else if (drag.kind === "adapter") {
      const wire = drag.link.querySelector("line.wire");
      drag.ghost.setAttribute("x2", now.x);
      drag.ghost.setAttribute("y2", now.y);
      drag.ghost.setAttribute("x1", wire.getAttribute("x1"));
      drag.ghost.setAttribute("y1", wire.getAttribute("y1"));
      const over = dropTargetAt(event.clientX, event.clientY);
      if (over !== drag.over) {
        if (drag.over) drag.over.classList.remove("drop-target");
        if (over) over.classList.add("drop-target");
        drag.over = over;
      }
    } else {
      drag.moving.forEach(function (element) {
        element.setAttribute("transform", "translate(" + delta.x + " " + delta.y + ")");
      });
    }
  }

  function beginDrag(drag) {
    diagram().classList.add("dragging-" + drag.kind);
    if (drag.kind === "adapter") {
      drag.link.classList.add("dragging");
      drag.ghost = document.createElementNS(SVG_NS, "line");
      drag.ghost.setAttribute("class", "ghost");
      document.getElementById("layer-links").appendChild(drag.ghost);
    } else if (drag.kind === "vm") {
      const id = drag.element.dataset.partId;
      drag.moving = [drag.element];
      document.querySelectorAll('#layer-links [data-vm-id="' + id + '"]').forEach(function (link) {
        link.classList.add("fading");
      });
    } else if (drag.kind === "host") {
      drag.moving = Array.from(document.querySelectorAll('#diagram [data-host-id="' + drag.element.dataset.partId + '"]'));
    }
  }

  function endDrag(drag, event, cancelled) {
    diagram().classList.remove("dragging-" + drag.kind);
    if (drag.ghost) drag.ghost.remove();
    if (drag.link) drag.link.classList.remove("dragging");
    if (drag.over) drag.over.classList.remove("drop-target");
    document.querySelectorAll("#layer-links .fading").forEach(function (link) {
      link.classList.remove("fading");
    });
    if (cancelled) {
      (drag.moving || []).forEach(function (element) {
        element.removeAttribute("transform");
      });
      return;
    }
    if (!drag.moved) {
      if (drag.kind === "adapter") openChoices(drag.element);
      else if (drag.kind === "vm" || drag.kind === "host") openNode(drag.element);
      else if (drag.element && drag.element.dataset.part) openNode(drag.element);
      return;
    }
    if (drag.kind === "adapter") {
      const over = dropTargetAt(event.clientX, event.clientY);
      if (over && over.dataset.networkId !== undefined) attach(drag.element, over.dataset.networkId);
    } else if (drag.kind === "vm" || drag.kind === "host") {
      const element = drag.element;
      const x = Number(element.dataset.originX) + drag.delta.x;
      const y = Number(element.dataset.originY) + drag.delta.y;
      send("POST", "/move", {
        kind: drag.kind,
        part_id: element.dataset.partId,
        x: x.toFixed(1),
        y: y.toFixed(1),
      });
    }
  }

  function attach(adapter, networkId) {
    send("POST", "/attach", { adapter_id: adapter.dataset.adapterId, network_id: networkId || "" });
  }

  function pinchDistance() {
    const points = Array.from(state.pointers.values());
    return {
      d: Math.hypot(points[0].x - points[1].x, points[0].y - points[1].y),
      x: (points[0].x + points[1].x) / 2,
      y: (points[0].y + points[1].y) / 2,
    };
  }

  document.addEventListener("pointerdown", function (event) {
    const svg = diagram();
    if (!svg || !svg.contains(event.target) || event.button > 0) return;
    state.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (state.pointers.size === 2) {
      if (state.drag) endDrag(state.drag, event, true);
      state.drag = null;
      state.pinch = pinchDistance();
      return;
    }
    state.drag = startDrag(event);
    svg.setPointerCapture(event.pointerId);
    if (state.drag.kind !== "pan") event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (state.pointers.has(event.pointerId)) state.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (state.pinch && state.pointers.size === 2) {
      const now = pinchDistance();
      if (now.d > 0 && state.pinch.d > 0) zoomAt(state.pinch.d / now.d, now.x, now.y);
      state.pinch = now;
      return;
    }
    if (state.drag && state.drag.id === event.pointerId) moveDrag(state.drag, event);
  });

  function pointerDone(event, cancelled) {
    state.pointers.delete(event.pointerId);
    if (state.pointers.size < 2) state.pinch = null;
    if (state.drag && state.drag.id === event.pointerId) {
      const drag = state.drag;
      state.drag = null;
      endDrag(drag, event, cancelled);
    }
  }
  document.addEventListener("pointerup", function (event) {
    pointerDone(event, false);
  });
  document.addEventListener("pointercancel", function (event) {
    pointerDone(event, true);
  });

  document.addEventListener(
    "wheel",
    function (event) {
      const svg = diagram();
      if (!svg || !svg.contains(event.target)) return;
      event.preventDefault();
      zoomAt(Math.exp(event.deltaY * 0.0015), event.clientX, event.clientY);
    },
    { passive: false }
  );

  // ---- The keyboard: Enter on an adapter lists the networks it may join; Enter on a node opens it. ----
  function openChoices(adapter) {
    if (readOnly()) return;
    const list = document.getElementById("network-choices");
    const link = adapter.closest("[data-link]");
    const hostId = link.dataset.hostId;
    const current = link.dataset.network;
    list.replaceChildren();
    list.dataset.forAdapter = adapter.dataset.adapter;
    const choices = Array.from(document.querySelectorAll('#layer-buses [data-network][data-host-id="' + hostId + '"]'));
    const options = choices.map(function (bus) {
      return { network: bus.dataset.network, id: bus.dataset.networkId, label: bus.querySelector("text").textContent };
    });
    options.push({ network: "", id: "", label: "not connected" });
    options.forEach(function (choice, index) {
      const option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = "choice-" + index;
      option.tabIndex = -1;
      option.dataset.network = choice.network;
      option.dataset.networkId = choice.id;
      option.textContent = choice.label;
      option.setAttribute("aria-selected", choice.network === current ? "true" : "false");
      list.appendChild(option);
    });
    list.setAttribute("aria-label", "Networks for " + adapter.dataset.adapter);
    const area = document.getElementById("canvas-area").getBoundingClientRect();
    const box = adapter.getBoundingClientRect();
    list.style.left = Math.max(0, Math.min(box.left - area.left, area.width - 260)) + "px";
    list.style.top = Math.max(0, box.bottom - area.top + 4) + "px";
    list.hidden = false;
    const selected = list.querySelector('[aria-selected="true"]') || list.firstElementChild;
    selected.focus();
  }

  function closeChoices(refocus) {
    const list = document.getElementById("network-choices");
    if (!list || list.hidden) return false;
    const hook = list.dataset.forAdapter;
    list.hidden = true;
    list.replaceChildren();
    if (refocus && hook) {
      const adapter = document.querySelector('[data-adapter="' + CSS.escape(hook) + '"]');
      if (adapter) adapter.focus({ preventScroll: true });
    }
    return true;
  }

  function choicesKey(event) {
    const list = document.getElementById("network-choices");
    const options = Array.from(list.querySelectorAll("[role=option]"));
    const index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = options[(index + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length];
      options.forEach(function (option) {
        option.setAttribute("aria-selected", option === next ? "true" : "false");
      });
      next.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      options[event.key === "Home" ? 0 : options.length - 1].focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      const choice = options[index];
      const adapter = document.querySelector('[data-adapter="' + CSS.escape(list.dataset.forAdapter) + '"]');
      closeChoices(true);
      if (choice && adapter) attach(adapter, choice.dataset.networkId);
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      closeChoices(true);
    }
  }

  document.addEventListener("click", function (event) {
    const option = event.target.closest && event.target.closest("#network-choices [role=option]");
    if (!option) return;
    const list = document.getElementById("network-choices");
    const adapter = document.querySelector('[data-adapter="' + CSS.escape(list.dataset.forAdapter) + '"]');
    closeChoices(true);
    if (adapter) attach(adapter, option.dataset.networkId);
  });

  function typing(element) {
    if (!element) return false;
    const tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (!workspace()) return;
    const list = document.getElementById("network-choices");
    if (list && !list.hidden && list.contains(document.activeElement)) {
      choicesKey(event);
      return;
    }
    const active = document.activeElement;
    if ((event.key === "Enter" || event.key === " ") && active && active.closest && active.closest("#diagram")) {
      if (active.dataset.adapter) {
        event.preventDefault();
        openChoices(active);
        return;
      }
      if (active.dataset.part) {
        event.preventDefault();
        openNode(active);
        return;
      }
    }
    if (event.key === "Escape") {
      if (closeChoices(true)) return;
      const panel = document.getElementById("panel");
      const wasIn = panel && panel.contains(active);
      closePanel();
      const node = wasIn && state.lastNode ? document.getElementById(state.lastNode) : null;
      if (node) node.focus({ preventScroll: true }); // by id: a change may have drawn it anew
      return;
    }
    if (matrixKey(event)) return;
    undoRedoKey(event);
  });

  document.addEventListener("focusin", function (event) {
    const part = event.target.closest && event.target.closest("#diagram [data-part]");
    if (part && part.id) state.lastNode = part.id;
  });

  // Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo — unless a text field has the focus (it keeps its own undo).
  function undoRedoKey(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || typing(document.activeElement)) return;
    const key = event.key.toLowerCase();
    const action = key === "z" ? (event.shiftKey ? "redo" : "undo") : key === "y" ? "redo" : null;
    if (!action) return;
    const button = document.querySelector('[data-action="' + action + '"]');
    if (!button) return;
    event.preventDefault();
    if (!button.disabled) send("POST", "/" + action);
  }

  // ---- The matrix: one cell in the tab order, arrows move between cells; a filter by name. ----
  function rovingCells() {
    document.querySelectorAll("#matrix-section table.matrix").forEach(function (table) {
      const cells = table.querySelectorAll("button.cell");
      if (cells.length && !table.querySelector('button.cell[tabindex="0"]')) cells[0].tabIndex = 0;
    });
  }

  function matrixKey(event) {
    const cell = document.activeElement;
    if (!cell || !cell.matches || !cell.matches("table.matrix button.cell")) return false;
    const moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    const move = moves[event.key];
    if (!move) return false;
    event.preventDefault();
    const rows = Array.from(cell.closest("tbody").rows).filter(function (row) {
      return !row.hidden && row.querySelector("button.cell");
    });
    const row = cell.closest("tr");
    let r = rows.indexOf(row);
    let c = Array.from(row.cells).indexOf(cell.closest("td"));
    for (let step = 0; step < 1000; step++) {
      r += move[0];
      c += move[1];
      if (r < 0 || r >= rows.length || c < 1 || c >= rows[r].cells.length) return true;
      const next = rows[r].cells[c].querySelector("button.cell");
      if (next && !rows[r].cells[c].hidden) {
        cell.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
        return true;
      }
    }
    return true;
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-matrix-filter]")) return;
    const wanted = event.target.value.trim().toLowerCase();
    const table = document.querySelector("#matrix-section table.matrix");
    if (!table) return;
    const matches = function (text) {
      return !wanted || text.toLowerCase().includes(wanted);
    };
    // A column shows when its endpoint or its group (host, network) matches; a cell goes with its column.
    const heads = Array.from(table.tHead.rows[0].cells);
    const shown = heads.map(function (th, index) {
      return index === 0 || matches(th.title || th.textContent) || matches(th.dataset.group || "");
    });
    heads.forEach(function (th, index) {
      th.hidden = !shown[index];
    });
    let group = null;
    let groupShown = false;
    Array.from(table.tBodies[0].rows).forEach(function (row) {
      if (row.classList.contains("group")) {
        if (group) group.hidden = !groupShown;
        group = row;
        groupShown = false;
        return;
      }
      const label = row.cells[0];
      const visible =
        matches(label.title || label.textContent) ||
        matches(row.dataset.group || "") ||
        Boolean(group && matches(group.textContent));
      row.hidden = !visible;
      groupShown = groupShown || visible;
      Array.from(row.cells).forEach(function (cell, index) {
        cell.hidden = !shown[index];
      });
    });
    if (group) group.hidden = !groupShown;
  });

  // Back never shows a stale lab (SPEC §13): a page the browser restores from its back-forward cache is fetched
  // again (pages are sent with Cache-Control: no-store, so its HTTP cache has none to show).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && workspace()) window.location.reload();
  });

  // Copy buttons (data-copy: the id of the field whose text they copy). The Clipboard API needs a secure page;
  // a classroom server on http://192.168.… is not one, so the text is selected and copied the older way there.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    const done = function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () {
        button.textContent = "Copy";
        button.classList.remove("copied");
      }, 2000);
    };
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (document.execCommand("copy")) done();
      });
    } else if (document.execCommand("copy")) done();
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-all]")) event.target.select();
  });

  // A form that asks first (data-confirm): no inline onsubmit handlers, which the Content-Security-Policy forbids.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // ---- Following the lab live (a view key's page): each change brings, in the event stream itself, the
  // parts of the page that differ from the version it shows (app/web/live.py). ----
  function follow() {
    const url = workspace() && workspace().dataset.events;
    if (!url || !window.EventSource) return;
    const events = new EventSource(url);
    events.addEventListener("patch", function (event) {
      applyPatch(event.data, true); // an open VM panel is brought up to date too
    });
    events.addEventListener("gone", function () {
      events.close();
      showProblem("This lab has been deleted.");
    });
    // The browser tries again by itself after a dropped connection; a refusal (the server at its limit of live
    // pages, or the key no longer good) ends the stream for good.
    events.addEventListener("error", function () {
      if (events.readyState === EventSource.CLOSED) {
        showProblem("This page no longer follows the lab's changes: reload it to try again.");
      }
    });
  }

  function start() {
    if (!diagram()) return;
    updateBounds(true);
    rovingCells();
    follow();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
