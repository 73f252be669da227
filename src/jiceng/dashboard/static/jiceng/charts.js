// The dashboard's charts, drawn by the vendored Apache ECharts from the JSON each page
// embeds beside the chart (json_script); the table under each chart holds the same data
// as text. Clicking a bar, slice, month or district follows the category's link.
// On the big screen (body[data-screen]) the data is read again from the API every few
// seconds and everything is redrawn in place.
(function () {
  "use strict";
  var RED = "#b3261e";
  var PALETTE = ["#b3261e", "#0a58ca", "#1a7f37", "#9a6700", "#8250df", "#59636e", "#bf3989"];
  var SCREEN_PALETTE = ["#ff6b5e", "#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#8b949e", "#f778ba"];
  var MAP = "shanghai";
  var drawn = {}; // element id → {chart: ECharts instance, data: chart data}
  var dark = document.body.hasAttribute("data-screen");
  var mapLoading = null;

  function narrow(el) {
    return el.clientWidth < 560;
  }

  function hasLine(data) {
    return data.series.some(function (s) { return s.type === "line"; });
  }

  // Many places side by side read better as rows; months stay a timeline.
  function horizontal(data, el) {
    var n = data.categories.length;
    return !data.ordered && (n > 8 || (narrow(el) && n > 4));
  }

  function label(value, unit) {
    return value === null || value === undefined ? "—" : value + (unit || "");
  }

  function palette() {
    return dark ? SCREEN_PALETTE : PALETTE;
  }

  function axisOption(data, el) {
    var flat = horizontal(data, el);
    var small = narrow(el);
    var category = {
      type: "category",
      data: data.categories,
      triggerEvent: true,
      inverse: flat,
      axisLabel: flat
        ? {width: small ? 84 : 140, overflow: "truncate"}
        : {interval: 0, rotate: small || data.categories.length > 6 ? 40 : 0,
           width: 90, overflow: "truncate"}
    };
    var counts = {type: "value", minInterval: 1};
    var rates = {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"},
                 splitLine: {show: false}};
    var series = data.series.map(function (s) {
      return {
        name: s.name,
        type: s.type,
        stack: s.stack || undefined,
        xAxisIndex: flat && s.unit === "%" ? 1 : 0,
        yAxisIndex: !flat && s.unit === "%" ? 1 : 0,
        data: s.values,
        connectNulls: true,
        barMaxWidth: 28,
        tooltip: {valueFormatter: function (v) { return label(v, s.unit); }}
      };
    });
    return {
      color: palette(),
      tooltip: {trigger: "axis", renderMode: "richText", confine: true},
      legend: {type: "scroll", top: 0, show: data.series.length > 1},
      grid: {left: 4, right: 8, bottom: 4, containLabel: true,
             top: (data.series.length > 1 ? 32 : 12) + (flat && hasLine(data) ? 24 : 0)},
      xAxis: flat ? (hasLine(data) ? [counts, rates] : counts) : category,
      yAxis: flat ? category : (hasLine(data) ? [counts, rates] : counts),
      series: series
    };
  }

  function pieOption(data, el) {
    var s = data.series[0];
    var total = s.values.reduce(function (sum, v) { return sum + (v || 0); }, 0);
    if (!total) { // an empty ring would look like a share
      return {title: {text: el.getAttribute("data-empty") || "0", left: "center", top: "middle",
                      textStyle: {color: dark ? "#a9b8c9" : "#59636e"}}};
    }
    return {
      color: palette(),
      tooltip: {trigger: "item", renderMode: "richText", confine: true},
      legend: {type: "scroll", bottom: 0},
      series: [{
        name: s.name,
        type: "pie",
        radius: ["35%", "62%"],
        center: ["50%", "45%"],
        label: {show: !narrow(el), formatter: "{b}\n{d}%"},
        data: data.categories.map(function (c, i) { return {name: c, value: s.values[i]}; })
      }]
    };
  }

  function mapOption(data, el) {
    var s = data.series[0];
    var top = Math.max.apply(null, [1].concat(s.values.filter(function (v) { return v !== null; })));
    return {
      tooltip: {trigger: "item", renderMode: "richText", confine: true},
      visualMap: {
        min: 0, max: top, left: 0, bottom: 0, itemWidth: 12, itemHeight: narrow(el) ? 60 : 100,
        calculable: false, text: [String(top), "0"],
        inRange: {color: dark ? ["#1f3a5f", "#ff6b5e"] : ["#fde7e4", RED]},
        textStyle: {color: dark ? "#e6edf3" : "#1f2328"}
      },
      series: [{
        name: s.name,
        type: "map",
        map: MAP,
        roam: false,
        label: {show: !narrow(el), fontSize: 10, color: dark ? "#e6edf3" : "#1f2328"},
        itemStyle: {areaColor: dark ? "#30363d" : "#eef1f4", borderColor: dark ? "#8b949e" : "#59636e"},
        emphasis: {label: {show: true}},
        data: data.categories.map(function (c, i) { return {name: c, value: s.values[i]}; })
      }]
    };
  }

  function option(data, el) {
    var built = data.type === "pie" ? pieOption(data, el)
      : data.type === "map" ? mapOption(data, el) : axisOption(data, el);
    built.backgroundColor = "transparent";
    built.animationDuration = 300;
    built.textStyle = {fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"};
    return built;
  }

  function height(data, el) {
    if (data.type === "map") {
      return narrow(el) ? 340 : 460;
    }
    if (data.type !== "pie" && horizontal(data, el)) {
      return Math.max(240, data.categories.length * 26 + 60);
    }
    return 300;
  }

  function follow(data, params) {
    var index = params.dataIndex;
    if (params.componentType === "xAxis" || params.componentType === "yAxis") {
      index = data.categories.indexOf(params.value);
    }
    var url = index >= 0 ? data.links[index] : null;
    if (url) {
      window.location.assign(url);
    }
  }

  function loadMap(el) {
    if (!mapLoading) {
      mapLoading = fetch(el.getAttribute("data-geo"), {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (geo) { window.echarts.registerMap(MAP, geo); });
    }
    return mapLoading;
  }

  function draw(el, data) {
    var entry = drawn[el.id];
    el.style.height = height(data, el) + "px";
    if (!entry) {
      var chart = window.echarts.init(el, dark ? "dark" : null, {renderer: "canvas"});
      entry = drawn[el.id] = {chart: chart, data: data};
      chart.on("click", function (params) { follow(entry.data, params); });
    }
    entry.data = data;
    entry.chart.resize();
    entry.chart.setOption(option(data, el), true);
    el.setAttribute("data-drawn", "1");
  }

  function drawFrom(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (data.type === "map") {
      loadMap(el).then(function () { draw(el, data); });
    } else {
      draw(el, data);
    }
  }

  // ---- the big screen: read again, redraw, rewrite the tables ---------------------------

  function cellText(value, unit) {
    if (value === null || value === undefined) {
      return "—";
    }
    return unit === "%" ? value.toFixed(1) + "%" : String(value);
  }

  function rewriteTable(data) {
    var table = document.querySelector('[data-chart-table="chart-' + data.key + '"]');
    if (!table) {
      return;
    }
    var body = document.createElement("tbody");
    data.categories.forEach(function (category, i) {
      var row = body.insertRow();
      var head = document.createElement("th");
      head.scope = "row";
      if (data.links[i]) {
        var link = document.createElement("a");
        link.href = data.links[i];
        link.textContent = category;
        head.appendChild(link);
      } else {
        head.textContent = category;
      }
      row.appendChild(head);
      data.series.forEach(function (s) {
        var cell = row.insertCell();
        cell.className = "n";
        cell.textContent = cellText(s.values[i], s.unit);
      });
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  function refresh(source) {
    fetch(source, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (screen) {
        screen.figures.forEach(function (f) {
          var item = document.querySelector('[data-figure="' + f.key + '"]');
          if (item) {
            item.querySelector(".num").textContent = f.value;
            item.classList.toggle("alert", f.alert && f.value > 0);
          }
        });
        var charts = screen.charts.concat(screen.indicator ? [screen.indicator] : []);
        charts.forEach(function (data) {
          var el = document.getElementById("chart-" + data.key);
          if (el && drawn[el.id]) {
            draw(el, data);
          }
          rewriteTable(data);
        });
        var time = document.getElementById("screen-updated");
        var at = new Date(screen.generated_at);
        time.setAttribute("datetime", screen.generated_at);
        time.textContent = at.toLocaleTimeString("zh-CN", {hour12: false});
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {
        // Keep the last figures on screen; the next round tries again.
        document.body.setAttribute("data-refresh-failed", String(Date.now()));
      });
  }

  function startScreen() {
    var source = document.body.getAttribute("data-source");
    var seconds = parseInt(document.body.getAttribute("data-refresh"), 10) || 60;
    window.setInterval(function () { refresh(source); }, seconds * 1000);
    var button = document.querySelector("[data-fullscreen]");
    if (button && document.documentElement.requestFullscreen) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          document.documentElement.requestFullscreen();
        }
      });
    }
  }

  function start() {
    if (!window.echarts) {
      return; // the tables remain, which carry the same data
    }
    document.querySelectorAll("[data-chart]").forEach(drawFrom);
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        Object.keys(drawn).forEach(function (id) {
          draw(document.getElementById(id), drawn[id].data);
        });
      }, 150);
    });
    if (dark) {
      startScreen();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
