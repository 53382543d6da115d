// Live counters: every element with data-counter="<topic>" inside a [data-live-counters] block
// shows that counter and follows it over Server-Sent Events (EventSource reconnects by itself
// after a server restart; the server sends the current values on every connect).
(function () {
  "use strict";
  function show(element, value) {
    if (element.dataset.value === String(value)) return;
    element.dataset.value = String(value);
    element.textContent = Number(value).toLocaleString("en");
    element.classList.remove("counter-bumped");
    void element.offsetWidth; // restart the highlight animation
    element.classList.add("counter-bumped");
  }
  function start(root) {
    const elements = Array.from(root.querySelectorAll("[data-counter]"));
    const topics = Array.from(new Set(elements.map((el) => el.dataset.counter)));
    if (!topics.length) return;
    const url = root.dataset.stream + "?" + topics.map((t) => "c=" + encodeURIComponent(t)).join("&");
    const status = root.querySelector("[data-live-status]");
    const say = (text, state) => {
      if (!status) return;
      status.textContent = text;
      status.dataset.state = state;
    };
    const source = new EventSource(url);
    source.addEventListener("counters", (event) => {
      const values = JSON.parse(event.data);
      for (const element of elements) {
        if (element.dataset.counter in values) show(element, values[element.dataset.counter]);
      }
      say("live", "live");
    });
    source.addEventListener("open", () => say("live", "live"));
    source.addEventListener("error", () => {
      // CLOSED: the server refused the stream (e.g. 503 under WSGI); the browser will not retry
      if (source.readyState === EventSource.CLOSED) say("not live", "off");
      else say("reconnecting…", "reconnecting");
    });
  }
  document.querySelectorAll("[data-live-counters]").forEach(start);
})();
