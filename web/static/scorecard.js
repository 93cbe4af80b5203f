// Draws the scorecard charts from the data the page embeds (no inline
// script: the content security policy allows only this site's files).
(function () {
  "use strict";
  var el = document.getElementById("score-data");
  if (!el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var units = data.units || [];
  var pct = function (r) { return r === null || r === undefined ? null : Math.round(r * 1000) / 10; };

  var unitChart = echarts.init(document.getElementById("chart-units"));
  unitChart.setOption({
    title: { text: data.month + " 各单位按期办结率与超期件数", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, data: ["按期办结率(%)", "超期件数"] },
    grid: { left: 50, right: 50, top: 40, bottom: 90 },
    xAxis: { type: "category", data: units.map(function (u) { return u.name; }), axisLabel: { rotate: 40, interval: 0, fontSize: 11 } },
    yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "件", minInterval: 1 }],
    series: [
      { name: "按期办结率(%)", type: "bar", data: units.map(function (u) { return pct(u.on_time_rate); }), itemStyle: { color: "#2f81f7" } },
      { name: "超期件数", type: "bar", yAxisIndex: 1, data: units.map(function (u) { return u.overdue; }), itemStyle: { color: "#c62828" } }
    ]
  });
  // Drill down: a unit's bar opens the cases behind its overdue figure.
  unitChart.on("click", function (p) {
    var u = units[p.dataIndex];
    if (u) { window.location.href = data.link + encodeURIComponent(u.code); }
  });

  var trend = data.trend || [];
  var trendChart = echarts.init(document.getElementById("chart-trend"));
  trendChart.setOption({
    title: { text: "近六个月趋势", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, data: ["交办", "办结", "超期", "督办通知", "按期办结率(%)"] },
    grid: { left: 50, right: 50, top: 40, bottom: 60 },
    xAxis: { type: "category", data: trend.map(function (m) { return m.month; }) },
    yAxis: [{ type: "value", name: "件", minInterval: 1 }, { type: "value", name: "%", max: 100 }],
    series: [
      { name: "交办", type: "line", data: trend.map(function (m) { return m.assigned; }) },
      { name: "办结", type: "line", data: trend.map(function (m) { return m.closed; }) },
      { name: "超期", type: "line", data: trend.map(function (m) { return m.overdue; }), itemStyle: { color: "#c62828" } },
      { name: "督办通知", type: "line", data: trend.map(function (m) { return m.notices; }) },
      { name: "按期办结率(%)", type: "line", yAxisIndex: 1, data: trend.map(function (m) { return pct(m.on_time_rate); }), lineStyle: { type: "dashed" } }
    ]
  });
  window.addEventListener("resize", function () { unitChart.resize(); trendChart.resize(); });
  document.body.setAttribute("data-charts", "ready");
})();
