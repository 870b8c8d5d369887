// Bindery web UI: the statistics pages. Every number comes from the statistics API (the same calls
// a client makes), the log files and the live feed from their endpoints; the API decides who sees what.
(() => {
  "use strict";
  const root = document.getElementById("stats");
  if (!root) {
    return;
  }
  const $ = (id) => document.getElementById(id);
  const state = { from: null, to: null, countryOs: [], filter: null, mode: "count" };
  const number = new Intl.NumberFormat("en");
  const regionNames = window.Intl && Intl.DisplayNames ? new Intl.DisplayNames(["en"], { type: "region" }) : null;

  function countryName(code) {
    if (!code || code === "unknown") {
      return "Unknown";
    }
    try {
      return (regionNames && regionNames.of(code)) || code;
    } catch (e) {
      return code;
    }
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
    children.forEach((child) => node.append(child));
    return node;
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  async function api(url, body) {
    // X-Requested-With: a 401 then comes without WWW-Authenticate, which would make the browser prompt.
    const headers = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" };
    const response = await fetch(url, body === undefined ? { headers } : {
      method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body)
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(json.message || "HTTP " + response.status);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  // --- The range picker ---------------------------------------------------------------------------

  function readRange() {
    const preset = $("range-preset").value;
    const custom = preset === "custom";
    $("range-from").disabled = !custom;
    $("range-to").disabled = !custom;
    if (!custom) {
      const to = new Date();
      const from = new Date(to.getTime() - (Number(preset) - 1) * 86400000);
      $("range-from").value = isoDay(from);
      $("range-to").value = isoDay(to);
    }
    state.from = $("range-from").value;
    state.to = $("range-to").value;
  }

  $("range-preset").addEventListener("change", () => {
    readRange();
    if ($("range-preset").value !== "custom") {
      load();
    }
  });
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    readRange();
    load();
  });

  function status(text, error) {
    $("status").textContent = text;
    $("status").classList.toggle("error", !!error);
  }

  // --- Sortable tables: buttons in the headers, aria-sort on the sorted column -------------------

  function makeSortable(table) {
    table.querySelectorAll("thead th").forEach((th, column) => {
      if (th.querySelector("button")) {
        return;
      }
      const button = el("button", { type: "button", class: "sort" }, th.textContent);
      th.textContent = "";
      th.append(button);
      button.addEventListener("click", () => {
        const descending = th.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("thead th").forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        table.dataset.sortColumn = column;
        table.dataset.sortDirection = th.getAttribute("aria-sort");
        sortRows(table);
      });
    });
  }

  function sortRows(table) {
    const column = Number(table.dataset.sortColumn);
    const th = table.querySelectorAll("thead th")[column];
    if (!th || !th.hasAttribute("aria-sort")) {
      return;
    }
    const direction = th.getAttribute("aria-sort") === "descending" ? -1 : 1;
    const numeric = th.dataset.type === "number";
    const value = (row) => {
      const cell = row.cells[column];
      return numeric ? Number(cell.dataset.value || 0) : cell.textContent.trim().toLowerCase();
    };
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const left = value(a);
      const right = value(b);
      return (left < right ? -1 : left > right ? 1 : 0) * direction;
    });
    rows.forEach((row) => body.append(row));
  }

  function fillTable(table, rows) {
    const body = table.tBodies[0];
    body.replaceChildren(...rows.map((cells) => el("tr", {}, ...cells.map((cell) => {
      const td = el("td", cell.value === undefined ? {} : { "data-value": String(cell.value), class: "number" },
        cell.node || String(cell.text));
      return td;
    }))));
    if (rows.length === 0) {
      const columns = table.querySelectorAll("thead th").length || 1;
      body.append(el("tr", { class: "empty" }, el("td", { colspan: String(columns) }, "No downloads in this range.")));
    }
    sortRows(table);
  }

  const count = (value) => ({ text: number.format(value), value });

  // --- Package statistics -------------------------------------------------------------------------

  let chart = null;

  function days(from, to) {
    const result = [];
    for (let day = new Date(from + "T00:00:00Z"); isoDay(day) <= to && result.length < 3700;
      day = new Date(day.getTime() + 86400000)) {
      result.push(isoDay(day).replaceAll("-", "/"));
    }
    return result;
  }

  function palette(index) {
    return "hsl(" + ((index * 137) % 360) + " 62% 52%)";
  }

  function drawDaily(answer) {
    const labels = days(answer.from.slice(0, 10), answer.to.slice(0, 10));
    const versions = [];
    const byVersion = {};
    let total = 0;
    answer.records.forEach((record) => record.downloads.forEach((entry) => {
      if (!byVersion[entry.version]) {
        byVersion[entry.version] = {};
        versions.push(entry.version);
      }
      byVersion[entry.version][record.date] = entry.count;
      total += entry.count;
    }));
    versions.sort();
    $("daily-total").textContent = number.format(total) + " in total";
    const canvas = $("daily-chart");
    canvas.dataset.total = String(total);
    const datasets = versions.map((version, index) => ({
      label: version, data: labels.map((day) => byVersion[version][day] || 0), backgroundColor: palette(index), stack: "v"
    }));
    if (!window.Chart) {
      return;
    }
    if (chart) {
      chart.destroy();
    }
    const text = getComputedStyle(document.body).color;
    chart = new Chart(canvas, {
      type: "bar",
      data: { labels, datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true, ticks: { color: text } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0, color: text } } },
        plugins: { legend: { labels: { color: text } } }
      }
    });
  }

  // The world map: country outlines from the ECharts WebJar's world.json, drawn as SVG paths
  // (equirectangular), each with data-country (ISO code), data-count and its fill.
  let world = null;

  async function loadWorld() {
    if (!world) {
      const [geo, codes] = await Promise.all([api(root.dataset.world), api(root.dataset.codes)]);
      world = { geo, codes };
    }
    return world;
  }

  function pathOf(geometry) {
    const rings = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    let d = "";
    rings.forEach((polygon) => polygon.forEach((ring) => {
      ring.forEach(([lon, lat], index) => {
        d += (index === 0 ? "M" : "L") + (lon + 180).toFixed(1) + "," + (84 - lat).toFixed(1);
      });
      d += "Z";
    }));
    return d;
  }

  function drawMap(countries) {
    const map = $("map");
    const counts = {};
    countries.forEach((record) => { counts[record.country] = record.count; });
    const max = Math.max(1, ...countries.filter((record) => record.country !== "unknown").map((record) => record.count));
    const svgNs = "http://www.w3.org/2000/svg";
    let svg = map.querySelector("svg");
    if (!svg) {
      svg = document.createElementNS(svgNs, "svg");
      svg.setAttribute("viewBox", "0 0 360 144");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", "World map of downloads");
      world.geo.features.forEach((feature) => {
        const code = world.codes[feature.properties.name];
        if (!code) {
          return;
        }
        const path = document.createElementNS(svgNs, "path");
        path.setAttribute("d", pathOf(feature.geometry));
        path.setAttribute("data-country", code);
        path.append(document.createElementNS(svgNs, "title"));
        svg.append(path);
      });
      map.prepend(svg);
      svg.addEventListener("mousemove", (event) => tip(event.target, event));
      svg.addEventListener("mouseleave", () => { $("map-tip").hidden = true; });
      svg.addEventListener("click", (event) => choose(event.target));
      svg.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose(event.target);
        }
      });
      svg.addEventListener("focusin", (event) => tip(event.target, null));
      svg.addEventListener("focusout", () => { $("map-tip").hidden = true; });
    }
    svg.querySelectorAll("path[data-country]").forEach((path) => {
      const code = path.dataset.country;
      const value = counts[code] || 0;
      path.dataset.count = String(value);
      // Square root, so a country with a few downloads is still visibly shaded next to a big one.
      const fill = value > 0 ? "hsl(212 80% " + Math.round(78 - 48 * Math.sqrt(value / max)) + "%)" : "var(--map-empty)";
      path.setAttribute("fill", fill);
      path.classList.toggle("shaded", value > 0);
      path.classList.toggle("chosen", code === state.filter);
      const label = countryName(code) + ": " + number.format(value) + " download" + (value === 1 ? "" : "s");
      path.querySelector("title").textContent = label;
      if (value > 0) {
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", label);
      } else {
        path.removeAttribute("tabindex");
        path.removeAttribute("role");
        path.removeAttribute("aria-label");
      }
    });
  }

  function tip(target, event) {
    const path = target.closest && target.closest("path[data-country]");
    const box = $("map-tip");
    if (!path) {
      box.hidden = true;
      return;
    }
    box.textContent = path.querySelector("title").textContent;
    box.hidden = false;
    const area = $("map").getBoundingClientRect();
    const at = event ? { x: event.clientX, y: event.clientY } : (() => {
      const rect = path.getBoundingClientRect();
      return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    })();
    box.style.left = Math.min(at.x - area.left + 12, area.width - 160) + "px";
    box.style.top = at.y - area.top + 12 + "px";
  }

  function choose(target) {
    const path = target.closest && target.closest("path[data-country]");
    if (!path || path.dataset.count === "0") {
      return;
    }
    filterCountry(path.dataset.country === state.filter ? null : path.dataset.country);
  }

  function filterCountry(code) {
    state.filter = code;
    $("country-filter").hidden = !code;
    $("country-filter-name").textContent = code ? countryName(code) : "";
    document.querySelectorAll("#map path[data-country]").forEach((path) => {
      path.classList.toggle("chosen", path.dataset.country === code);
    });
    drawCountryOs();
  }

  function drawCountryOs() {
    const table = $("country-os");
    const systems = {};
    state.countryOs.forEach((record) => record.os.forEach((share) => {
      systems[share.os] = (systems[share.os] || 0) + share.count;
    }));
    const columns = Object.keys(systems).sort((a, b) => systems[b] - systems[a] || a.localeCompare(b));
    const head = table.tHead;
    const signature = columns.join("\n");
    if (head.dataset.columns !== signature || !head.rows.length) {
      head.dataset.columns = signature;
      head.replaceChildren(el("tr", {},
        el("th", { scope: "col" }, "Country"),
        el("th", { scope: "col", "data-type": "number" }, "Downloads"),
        ...columns.map((os) => el("th", { scope: "col", "data-type": "number" }, os))));
      makeSortable(table);
      // The OS columns may differ from the last range's: keep the sorted column if it is still there.
      const cells = head.rows[0].cells;
      if (!(Number(table.dataset.sortColumn) < cells.length)) {
        table.dataset.sortColumn = "1";
        table.dataset.sortDirection = "descending";
      }
      cells[Number(table.dataset.sortColumn)].setAttribute("aria-sort", table.dataset.sortDirection);
    }
    const percentage = state.mode === "percentage";
    table.classList.toggle("percentages", percentage);
    const rows = state.countryOs.filter((record) => !state.filter || record.country === state.filter).map((record) => {
      const shares = {};
      record.os.forEach((share) => { shares[share.os] = share; });
      return [{ text: countryName(record.country) + " (" + record.country + ")" }, count(record.count),
        ...columns.map((os) => {
          const share = shares[os];
          if (percentage) {
            const value = share ? share.percentage : 0;
            return { text: value.toFixed(1) + " %", value };
          }
          return count(share ? share.count : 0);
        })];
    });
    fillTable(table, rows);
  }

  async function loadPackage() {
    const base = root.dataset.stats;
    const body = { from: state.from, to: state.to };
    const [daily, countries, countryOs, organizations, clients] = await Promise.all([
      api(base + "/time_range_downloads", body), api(base + "/country_downloads", body),
      api(base + "/country_os_downloads", body), api(base + "/organization_downloads", body),
      api(base + "/client_downloads", body)]);
    drawDaily(daily);
    state.countryOs = countryOs.records;
    drawCountryOs();
    fillTable($("organizations"), organizations.records.map((record) => [
      { text: record.asn ? "AS" + record.asn : "", value: record.asn }, { text: record.organization }, count(record.count)]));
    fillTable($("clients"), clients.records.map((record) => [{ text: record.client }, count(record.count)]));
    try {
      await loadWorld();
      drawMap(countries.records);
      $("map").dataset.loaded = "true";
    } catch (e) {
      $("map").dataset.loaded = "failed";
    }
    if (!$("usage-csv")) {
      return;
    }
    const usage = new URL(root.dataset.usage, location.href);
    usage.searchParams.set("start_date", state.from);
    usage.searchParams.set("end_date", state.to);
    const long = (new Date(state.to) - new Date(state.from)) / 86400000 > 88;
    usage.searchParams.set("granularity", long ? "month" : "day");
    $("usage-csv").href = usage.pathname + usage.search;
  }

  async function loadLogs() {
    try {
      const files = await api(root.dataset.logs);
      $("logs-status").textContent = files.length ? "Daily download log files:" : "No download log files yet.";
      $("logs").replaceChildren(...files.map((file) => {
        const url = root.dataset.logs + "/" + encodeURIComponent(file.name);
        return el("li", {}, file.name + " ", el("a", { href: url, class: "log-apache" }, "Apache"), " · ",
          el("a", { href: url + "?format=csv", class: "log-csv" }, "CSV"),
          el("span", { class: "meta" }, " " + number.format(file.size) + " bytes"));
      }));
    } catch (e) {
      $("logs-status").textContent = "Could not list the download log files: " + e.message;
    }
  }

  // --- Repository statistics ----------------------------------------------------------------------

  async function loadRepository() {
    const answer = await api(root.dataset.totals, { from: state.from, to: state.to });
    fillTable($("package-totals"), answer.records.map((record) => [
      { node: el("a", { href: root.dataset.packages + "/" + encodeURIComponent(record.package) + "/_stats" }, record.package) },
      count(record.count)]));
  }

  // --- The live feed ------------------------------------------------------------------------------

  function startFeed() {
    const feed = $("feed");
    const source = new EventSource(root.dataset.feed);
    source.addEventListener("open", () => { $("feed-status").textContent = "Watching downloads as they happen."; });
    source.addEventListener("download", (message) => {
      const event = JSON.parse(message.data);
      const where = [countryName(event.country), event.organization].filter(Boolean).join(", ");
      const item = el("li", { "data-path": event.path, "data-country": event.country || "" },
        el("time", { datetime: event.time }, event.time.slice(11, 19)), " ",
        el("strong", {}, event.path), " ",
        el("span", { class: "meta" }, [event.version && "version " + event.version, where, event.os, event.client]
          .filter(Boolean).join(" · ")));
      feed.prepend(item);
      while (feed.children.length > 50) {
        feed.lastElementChild.remove();
      }
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        $("feed-status").textContent = "The live feed has stopped; reload the page to watch again.";
      } else {
        $("feed-status").textContent = "Reconnecting…";
      }
    });
  }

  // --- Wiring -------------------------------------------------------------------------------------

  async function load() {
    if (!state.from || !state.to || state.from > state.to) {
      status("Choose a start day on or before the end day.", true);
      return;
    }
    status("Loading " + state.from + " to " + state.to + "…");
    root.dataset.loaded = "false";
    try {
      await (root.dataset.scope === "package" ? loadPackage() : loadRepository());
      status(state.from + " to " + state.to + " (UTC)");
      root.dataset.loaded = "true";
    } catch (e) {
      status("Could not load the statistics: " + e.message, true);
      root.dataset.loaded = "failed";
    }
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  if (root.dataset.scope === "package") {
    document.querySelectorAll("input[name=country-os-mode]").forEach((input) => input.addEventListener("change", () => {
      state.mode = input.value;
      drawCountryOs();
    }));
    $("country-filter-clear").addEventListener("click", () => filterCountry(null));
  }
  readRange();
  load();
  // The page names the log files and the feed only for publishers: the API would refuse anybody else.
  if (root.dataset.logs) {
    loadLogs();
  }
  if (root.dataset.feed) {
    startFeed();
  }
})();
