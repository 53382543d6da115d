// Live counters: every element with data-counter="<topic>" inside a [data-live-counters] block
// shows that counter and follows it over Server-Sent Events (EventSource reconnects by itself
// after a server restart; the server sends the current values on every connect).
//
// data-value holds the value as the stream carries it (a number, a decimal or an ISO 8601
// timestamp as text, "null"); the text people read is written by the server (display=1: a
// "display" event before each "counters" event), in the page's language and time zone, the way
// Django's admin writes it. The script never turns a value into a number itself, so a timestamp
// can never read "NaN".
(function () {
  "use strict";
  function show(element, value, text) {
    if (element.dataset.value === String(value)) return;
    element.dataset.value = String(value);
    element.textContent = text;
    element.classList.remove("counter-bumped");
    void element.offsetWidth; // restart the highlight animation
    element.classList.add("counter-bumped");
  }
  function start(root) {
    const elements = Array.from(root.querySelectorAll("[data-counter]"));
    const topics = Array.from(new Set(elements.map((el) => el.dataset.counter)));
    if (!topics.length) return;
    const query = topics.map((t) => "c=" + encodeURIComponent(t)).join("&");
    const status = root.querySelector("[data-live-status]");
    const say = (text, state) => {
      if (!status) return;
      status.textContent = text;
      status.dataset.state = state;
    };
    let texts = {};
    const source = new EventSource(root.dataset.stream + "?" + query + "&display=1");
    source.addEventListener("display", (event) => {
      texts = JSON.parse(event.data);
    });
    source.addEventListener("counters", (event) => {
      const values = JSON.parse(event.data);
      for (const element of elements) {
        const topic = element.dataset.counter;
        if (!(topic in values)) continue;
        const value = values[topic];
        // a server without display=1 support: show the value as it came
        const text = topic in texts ? texts[topic] : value === null ? "-" : String(value);
        show(element, value, text);
      }
      texts = {};
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
