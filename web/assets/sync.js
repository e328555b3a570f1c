/*
 * sync.js — the progress of a sync or an enrollment (/sync, /enroll) while
 * tetrad-syncd runs as the interface's child: asks /sync/status each second,
 * shows the seconds and the program's output, and reloads the page when the
 * child has ended, so the result appears in words. Does nothing on other
 * pages. Without script the page's «Обновить» link does the same.
 */
(function () {
	"use strict";

	function start() {
		var box = document.getElementById("child-status");
		if (!box || box.getAttribute("data-running") !== "1") {
			return;
		}
		var log = document.getElementById("child-log");
		var secs = document.getElementById("child-seconds");
		var failures = 0;

		function tick() {
			fetch("/sync/status", { credentials: "same-origin", cache: "no-store" })
				.then(function (r) {
					if (!r.ok) {
						throw new Error("status " + r.status);
					}
					return r.json();
				})
				.then(function (s) {
					failures = 0;
					if (secs && typeof s.seconds === "number") {
						secs.textContent = String(s.seconds);
					}
					if (log && typeof s.output === "string") {
						log.textContent = s.output;
					}
					if (!s.running) {
						window.location.reload();
						return;
					}
					window.setTimeout(tick, 1000);
				})
				.catch(function () {
					/* the interface was closed or restarted: the link still works */
					failures += 1;
					if (failures < 10) {
						window.setTimeout(tick, 3000);
					}
				});
		}
		window.setTimeout(tick, 1000);
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", start);
	} else {
		start();
	}
})();
