/**
 * The statistics page's chart script, served as a file (/assets/stats-charts.js): the workspace's
 * Content-Security-Policy allows scripts from this server only, never inline ones. Plain ES5-level
 * JavaScript for the browsers offices run; it reads the page's #stats-data JSON and draws with the
 * ECharts bundle served beside it. No animation: a printed or captured page shows the final chart.
 */
export const STATS_CHARTS_JS = String.raw`(function () {
  var el = document.getElementById("stats-data");
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.textContent);
  var charts = [];
  var base = { animation: false, textStyle: { fontFamily: "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif" } };
  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node, null, { renderer: "canvas" });
    var o = {};
    for (var k in base) o[k] = base[k];
    for (var j in option) o[j] = option[j];
    c.setOption(o);
    charts.push(c);
  }
  var units = d.rateByUnit;
  // One bar per unit: the chart grows with the plan's units instead of squeezing them.
  var rateNode = document.getElementById("chart-rate");
  if (rateNode) rateNode.style.height = Math.max(200, units.length * 26 + 40) + "px";
  draw("chart-rate", {
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.name; }), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ type: "bar", name: "按时完成率", itemStyle: { color: "#9f1c1c" },
      label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
      data: units.map(function (u) { return u.onTimeRate === null ? null : Math.round(u.onTimeRate * 1000) / 10; }) }]
  });
  draw("chart-overdue", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: d.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", name: "逾期事项", step: "end", areaStyle: { opacity: 0.15 }, itemStyle: { color: "#d1242f" }, data: d.overdue }]
  });
  d.cumulative.forEach(function (g, i) {
    draw("chart-cum-" + i, {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "line", name: "累计应报", step: "end", itemStyle: { color: "#57606a" }, data: g.due },
        { type: "line", name: "累计已报", step: "end", areaStyle: { opacity: 0.15 }, itemStyle: { color: "#1a7f37" }, data: g.handedIn }
      ]
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts", String(charts.length));
})();
`;
