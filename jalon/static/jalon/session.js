// Warns shortly before an idle session closes and offers to stay signed in.
// No framework: a <dialog> (focus moves to its first button) whose text is a polite live
// region, changed only when the minute count changes so that screen readers are not flooded.
(function () {
  "use strict";
  var dialog = document.getElementById("session-avertissement");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;
  var idle = parseInt(dialog.dataset.idle, 10);
  var warning = parseInt(dialog.dataset.warning, 10);
  var countdown = dialog.querySelector("[data-session-countdown]");
  var csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var ticker = null;
  var closesAt = 0;

  function wording(seconds) {
    var minutes = Math.ceil(seconds / 60);
    if (seconds < 60) return "moins d'une minute";
    return minutes + (minutes > 1 ? " minutes" : " minute");
  }

  function schedule(remaining) {
    clearTimeout(timer);
    clearInterval(ticker);
    closesAt = Date.now() + remaining * 1000;
    timer = setTimeout(check, Math.max(0, remaining - warning) * 1000);
  }

  function expire() {
    // The server closes the session on the next request and shows the login page with a message.
    window.location.reload();
  }

  function tick() {
    var left = Math.round((closesAt - Date.now()) / 1000);
    if (left <= 0) return expire();
    var text = wording(left);
    if (countdown.textContent !== text) countdown.textContent = text;
  }

  function show(remaining) {
    closesAt = Date.now() + remaining * 1000;
    tick();
    if (!dialog.open) dialog.showModal();
    clearInterval(ticker);
    ticker = setInterval(tick, 1000);
  }

  function check() {
    fetch(dialog.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("session");
        return response.json();
      })
      .then(function (data) {
        // Another tab may have kept the session alive: wait again.
        if (data.remaining > warning + 5) schedule(data.remaining);
        else if (data.remaining > 0) show(data.remaining);
        else expire();
      })
      .catch(expire);
  }

  function stay() {
    fetch(dialog.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("session");
        return response.json();
      })
      .then(function (data) {
        clearInterval(ticker);
        if (dialog.open) dialog.close();
        schedule(data.remaining);
      })
      .catch(expire);
  }

  dialog.querySelector("[data-session-keepalive]").addEventListener("click", stay);
  // Escape is an answer too: the person is there.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  // Each htmx request is activity the server has seen.
  document.addEventListener("htmx:afterRequest", function () {
    if (!dialog.open) schedule(idle);
  });
  // Timers sleep with the laptop: ask the server when the page shows again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") check();
  });
  schedule(idle);
})();
