// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Buttons that ask before doing something that cannot be undone.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Attendance: "mark all unmarked as present" fills the radios here, so the trainer can
  // check the list before saving. Without JavaScript the button saves with that meaning.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mark-all]");
    if (!button) { return; }
    var form = button.form;
    var value = button.getAttribute("data-mark-all");
    var groups = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio][name^='status-']"), function (radio) {
      groups[radio.name] = groups[radio.name] || [];
      groups[radio.name].push(radio);
    });
    var count = 0;
    Object.keys(groups).forEach(function (name) {
      var radios = groups[name];
      if (!radios.some(function (r) { return r.checked; })) {
        radios.forEach(function (r) { if (r.value === value) { r.checked = true; count += 1; } });
      }
    });
    event.preventDefault();
    var note = form.querySelector("[data-mark-all-note]");
    if (note) { note.hidden = false; }
  });

  // The programme form: a text's input in a language shows while that language is ticked.
  // Without JavaScript, the inputs of newly ticked languages appear once the form is saved.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || box.name !== "languages" || !box.form) { return; }
    Array.prototype.forEach.call(
      box.form.querySelectorAll("[data-translation-lang='" + box.value + "']"),
      function (input) { input.hidden = !box.checked; }
    );
  });

  // Read-only inputs holding an address select themselves, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("select-on-focus")) {
      event.target.select();
    }
  });

  // Self check-in display: fetch the current code, QR code and count, and count down.
  var display = document.querySelector("[data-checkin-state]");
  if (display) {
    var url = display.getAttribute("data-checkin-state");
    var countdown = display.querySelector("[data-countdown]");
    var left = countdown ? Number(countdown.value) : 0;
    var refresh = function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          display.querySelector(".checkin-open").hidden = !state.open;
          display.querySelector(".checkin-closed").hidden = state.open;
          display.querySelector("[data-count]").textContent = state.count;
          display.querySelector("[data-expected]").textContent = state.expected;
          if (state.open) {
            display.querySelector("[data-code]").textContent = state.code;
            display.querySelector("[data-qr]").innerHTML = state.qr_svg;
            left = state.seconds_left;
            if (countdown) { countdown.max = state.refresh_seconds; countdown.value = left; }
          } else {
            left = 15;
          }
        })
        .catch(function () { left = 5; });
    };
    window.setInterval(function () {
      left -= 1;
      if (countdown) { countdown.value = Math.max(left, 0); }
      if (left <= 0) { left = 1000; refresh(); }
    }, 1000);
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (state) {
        display.querySelector("[data-count]").textContent = state.count;
      }).catch(function () {});
    }, 5000);
  }
  // A background job's progress bar: poll its state until it is finished.
  var job = document.querySelector("[data-job-state]");
  if (job) {
    var jobUrl = job.getAttribute("data-job-state");
    var poll = function () {
      fetch(jobUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          job.querySelector("[data-job-status]").textContent = state.status_label;
          job.querySelector("[data-job-done]").textContent = state.done;
          job.querySelector("[data-job-total]").textContent = state.total;
          job.querySelector("[data-job-progress]").value = state.percent;
          var failures = job.querySelector("[data-job-failures]");
          if (state.failures.length) {
            failures.hidden = false;
            var list = failures.querySelector("ul");
            list.textContent = "";
            state.failures.forEach(function (f) {
              var item = document.createElement("li");
              item.textContent = f.item + ": " + f.reason;
              list.appendChild(item);
            });
          }
          if (state.error) {
            var error = job.querySelector("[data-job-error]");
            error.hidden = false;
            error.textContent = state.error;
          }
          if (state.finished) {
            var next = job.querySelector("[data-job-next]");
            next.hidden = false;
            next.querySelector("a").href = state.next_url;
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
})();
