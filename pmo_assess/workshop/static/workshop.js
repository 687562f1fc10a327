// pmo-assess workshop page guard: nothing looks saved unless the kernel said it is on disk.
//
// * Heartbeat: the kernel ticks a hidden `.pmo-heartbeat .pmo-beat` widget every HEARTBEAT_MS while the page
//   clicks the hidden `.pmo-ping` button every `ping_ms` (nothing is sent to a page that is gone). When it stops for
//   LOST_AFTER_MS (kernel killed, restarted, server gone, network cut) a banner says so at the top of the
//   page, names every answer or comment given since the last confirmed save, and blocks further clicks.
// * Acks: every save result is echoed by the kernel into a hidden `.pmo-ack` widget as JSON
//   {seq, kind, question, value, ok, message}. A click or keystroke is "pending" until its ack arrives.
// * Keys: 1-4, n (not applicable), d (don't know) answer; arrow keys move focus between choices
//   without saving (the browser's default would select, and so save, every option passed). Keys pressed
//   inside the form never reach JupyterLab's command mode.
// Configuration comes from the element `#pmo-workshop-config` (JSON), written by pmo_assess.workshop.page.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("pmo-workshop-config").textContent);
  if (config.title) { document.title = config.title; }
  if (window.pmoWorkshopGuard) { return; }  // one guard per page, however many forms
  var guard = window.pmoWorkshopGuard = {pending: {}, lost: false, seenBeat: false, lastBeat: 0,
                                         beatText: null, lastAckSeq: -1, failure: null};

  function now() { return Date.now(); }
  function text(el) { return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : ""; }
  function closestRoot(el) { return el && el.closest ? el.closest(".pmo-capture, .pmo-room") : null; }
  function questionOf(root) {
    var el = root && root.querySelector(".pmo-question [data-question]");
    return {id: el ? el.getAttribute("data-question") : "", text: text(root && root.querySelector(".pmo-question-text"))};
  }

  // ------------------------------------------------------------------ banner
  function banner() {
    var el = document.getElementById("pmo-banner");
    if (!el) {
      el = document.createElement("div");
      el.id = "pmo-banner";
      el.className = "pmo-banner";
      el.setAttribute("role", "alert");
      el.setAttribute("aria-live", "assertive");
      el.innerHTML = '<div class="pmo-banner-title"></div><div class="pmo-banner-detail"></div>' +
        '<button type="button" class="pmo-banner-reload">Reload the page</button>';
      el.querySelector("button").addEventListener("click", function () { window.location.reload(); });
      document.body.appendChild(el);
    }
    return el;
  }
  function describe(p) {
    if (p.kind === "comment") {
      return "Your comment on \u201c" + p.questionText + "\u201d (" + p.question + ") was NOT saved.";
    }
    return "Your answer \u201c" + p.label + "\u201d to \u201c" + p.questionText + "\u201d (" + p.question +
           ") was NOT saved.";
  }
  function pendingLines() {
    return Object.keys(guard.pending).map(function (key) { return describe(guard.pending[key]); });
  }
  function showBanner(title, lines, canReload) {
    var el = banner();
    el.querySelector(".pmo-banner-title").textContent = title;
    var detail = el.querySelector(".pmo-banner-detail");
    detail.innerHTML = "";
    lines.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line;
      detail.appendChild(div);
    });
    el.querySelector("button").style.display = canReload ? "" : "none";
    el.classList.add("pmo-banner-shown");
    document.body.classList.add("pmo-has-banner");
  }
  function hideBanner() {
    var el = document.getElementById("pmo-banner");
    if (el) { el.classList.remove("pmo-banner-shown"); }
    document.body.classList.remove("pmo-has-banner");
  }
  function redraw() {
    if (guard.lost) {
      var lines = pendingLines();
      lines.push("Answers confirmed as saved before this are safe in the answers file. Reload the page to " +
                 "continue (you come back to your first unanswered question; in JupyterLab, restart the kernel " +
                 "and run the notebook again); if that fails, tell the facilitator.");
      showBanner("NOT SAVING \u2014 the connection to the workshop is lost", lines, true);
    } else if (guard.failure) {
      showBanner("NOT SAVED", [guard.failure], false);
    } else {
      hideBanner();
    }
    markUnsaved();
  }
  function markUnsaved() {
    document.querySelectorAll(".pmo-unsaved").forEach(function (el) { el.classList.remove("pmo-unsaved"); });
    Object.keys(guard.pending).forEach(function (key) {
      var p = guard.pending[key];
      if (!guard.lost || !p.element || !p.element.isConnected) { return; }
      p.element.classList.add("pmo-unsaved");
    });
    document.body.classList.toggle("pmo-offline", guard.lost);
  }

  // ------------------------------------------------------------------ pending saves and acks
  function addPending(kind, question, value, label, element) {
    guard.pending[kind + ":" + question.id] = {kind: kind, question: question.id, questionText: question.text,
                                               value: value, label: label, element: element, since: now()};
    document.body.classList.add("pmo-saving");
  }
  function readAck() {
    var acks = document.querySelectorAll(".pmo-ack");
    acks.forEach(function (el) {
      var raw = text(el);
      if (!raw || raw === el.getAttribute("data-read")) { return; }
      el.setAttribute("data-read", raw);
      var ack;
      try { ack = JSON.parse(raw); } catch (e) { return; }
      var key = ack.kind + ":" + ack.question;
      var p = guard.pending[key];
      if (ack.ok) {
        if (p && (p.kind !== "comment" || p.value === ack.value)) { delete guard.pending[key]; }
        if (ack.kind === "answer" || ack.kind === "comment") { guard.failure = null; }
      } else {
        guard.failure = (p ? describe(p) + " " : "") + (ack.message || "");
        delete guard.pending[key];
      }
      if (!Object.keys(guard.pending).length) { document.body.classList.remove("pmo-saving"); }
      redraw();
    });
  }

  // ------------------------------------------------------------------ heartbeat
  function checkBeat() {
    var beat = document.querySelector(".pmo-heartbeat .pmo-beat");
    if (beat) {
      var value = text(beat);
      if (value !== guard.beatText) {
        guard.beatText = value;
        guard.lastBeat = now();
        if (value) { guard.seenBeat = true; }
        if (guard.lost) { guard.lost = false; redraw(); }
      }
    }
    if (guard.seenBeat && !guard.lost && now() - guard.lastBeat > config.lost_after_ms) {
      guard.lost = true;
      redraw();
    }
    readAck();
  }
  setInterval(checkBeat, config.check_ms);
  // The kernel ticks only while a page pings it: a closed or crashed page leaves nothing for the server to hold.
  function ping() {
    document.querySelectorAll(".pmo-heartbeat .pmo-ping").forEach(function (button) { button.click(); });
  }
  setInterval(ping, config.ping_ms || 2000);
  document.addEventListener("visibilitychange", function () {
    // a hidden tab's timers are slowed down; give the kernel a moment to hear from us again before judging it
    if (document.visibilityState === "visible") { guard.lastBeat = now(); ping(); }
  });
  // keyboard focus survives the form redrawing its choices (a new question replaces the radio buttons)
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var inChoices = target.matches && target.matches(".pmo-answer-choices input[type=radio]");
    guard.focus = inChoices ? closestRoot(target) : null;
  }, true);
  function refocus() {
    if (!guard.focus || !guard.focus.isConnected || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    var inputs = Array.prototype.slice.call(guard.focus.querySelectorAll(".pmo-answer-choices input[type=radio]"));
    var checked = inputs.filter(function (input) { return input.checked; })[0];
    if (checked || inputs[0]) { (checked || inputs[0]).focus({preventScroll: true}); }
  }
  // acks are read the moment they arrive, so a confirmed save never shows "saving…" for long
  new MutationObserver(function () { readAck(); refocus(); })
    .observe(document.body, {subtree: true, childList: true, characterData: true});

  // ------------------------------------------------------------------ clicks and typing
  document.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest(".pmo-answer-choices label, .pmo-answer-choices input");
    if (!choice) { return; }
    if (guard.lost) {  // the kernel cannot save: the radio must not pretend it did
      event.preventDefault();
      event.stopPropagation();
      redraw();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".pmo-answer-choices input[type=radio]")) { return; }
    var root = closestRoot(input);
    var label = input.closest("label");
    var index = Array.prototype.indexOf.call(root.querySelectorAll(".pmo-answer-choices input[type=radio]"), input);
    addPending("answer", questionOf(root), config.choices[index], text(label).split(":")[0], label);
    if (guard.lost) { redraw(); }
  }, true);
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".pmo-comment textarea")) { return; }
    addPending("comment", questionOf(closestRoot(box)), box.value, "", box);
    if (guard.lost) { redraw(); }
  }, true);

  // ------------------------------------------------------------------ keyboard
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
                  (el.tagName === "INPUT" && !/^(radio|checkbox|button)$/i.test(el.type)) || el.isContentEditable);
  }
  function activeRoot() {
    var roots = document.querySelectorAll(".pmo-capture");
    var focused = closestRoot(document.activeElement);
    if (focused && focused.classList.contains("pmo-capture")) { return focused; }
    // in JupyterLab the same keys edit the notebook: answer only when the form has the focus (Voilà: always)
    if (!("voila" in document.body.dataset)) { return null; }
    return roots.length === 1 ? roots[0] : null;
  }
  // window, capture phase: before JupyterLab's own key handling (d d deletes a cell, 1-4 make headings)
  window.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var target = event.target;
    if (closestRoot(target) && !typing(target) && event.key !== "Escape") {
      event.stopPropagation();  // keys pressed in the form are the form's: the notebook never sees them
    }
    var arrows = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
    if (arrows.indexOf(event.key) >= 0 && target.matches && target.matches(".pmo-answer-choices input[type=radio]")) {
      // move focus only: the browser would check (and the kernel save) every option passed
      event.preventDefault();
      var inputs = Array.prototype.slice.call(closestRoot(target).querySelectorAll(".pmo-answer-choices input[type=radio]"));
      var step = (event.key === "ArrowUp" || event.key === "ArrowLeft") ? -1 : 1;
      var next = inputs[(inputs.indexOf(target) + step + inputs.length) % inputs.length];
      next.focus();
      return;
    }
    if (event.key === "Enter" && target.matches && target.matches(".pmo-answer-choices input[type=radio]")) {
      event.preventDefault();
      if (!target.checked) { target.click(); }
      return;
    }
    if (typing(target)) { return; }
    var index = config.keys[event.key.toLowerCase()];
    if (index === undefined) { return; }
    var root = activeRoot();
    var inputs = root ? root.querySelectorAll(".pmo-answer-choices input[type=radio]") : [];
    if (!inputs[index]) { return; }
    event.preventDefault();
    inputs[index].focus();
    if (!inputs[index].checked) { inputs[index].click(); }
  }, true);
})();
