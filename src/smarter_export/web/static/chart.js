// A small preview of an analytics export's chart, drawn as SVG from the figures the service kept
// from the file (GET /api/v1/export/{id}/chart). The same kinds as the file's chart: bars (with
// a black mark for a target), stacked buckets, a line over months. Greys and marks, as in the
// file, so it reads without colour; every bar and point says its group and figure on hover.

import { el } from "./dom.js";
import { count } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 520;
const SLOT = 18; // height of one group's bars
const LABEL_ROOM = 150;
const LINE_HEIGHT = 130;
const FILLS = ["#404040", "#a6a6a6", "#d9d9d9"];
const STACK = ["#f2f2f2", "#d9d9d9", "#a6a6a6", "#7f7f7f", "#404040", "#000000"]; // young to old

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// About five round values (1, 2 or 5 times a power of ten apart) covering [low, high].
export function ticks(low, high) {
  if (high <= low) high = low + 1;
  const raw = (high - low) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((value) => value >= raw);
  const first = Math.floor(low / step) * step;
  const steps = Math.ceil((high - first) / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, index) => first + step * index);
}

function figure(value, valueType) {
  if (valueType === "percent") return `${(value * 100).toFixed(1)}%`;
  return count(Math.round(value * 100) / 100);
}

function tickText(value, valueType) {
  if (valueType === "percent") return `${count(Math.round(value * 100))}%`;
  return Math.abs(value) >= 10 || value === 0 ? count(Math.round(value)) : value.toFixed(1);
}

function shortened(text, room) {
  const most = Math.floor(room / 6.4);
  return text.length > most ? `${text.slice(0, most - 1)}…` : text;
}

function legendItems(chart) {
  const items = [];
  const several = chart.series.length > 1;
  if (several || chart.target) {
    const fills = chart.kind === "stacked" ? STACK : FILLS;
    chart.series.forEach((series, number) => items.push({ label: series.label, fill: fills[number % fills.length] }));
  }
  if (chart.target) items.push({ label: chart.target.label, target: true });
  return items;
}

function legend(chart, top) {
  const group = svg("g", { class: "legend" });
  let x = 0;
  let y = top;
  for (const item of legendItems(chart)) {
    const width = 22 + item.label.length * 6.2;
    if (x + width > WIDTH) {
      x = 0;
      y += 16;
    }
    group.append(item.target
      ? svg("line", { x1: x + 4, x2: x + 4, y1: y - 9, y2: y + 2, stroke: "#000", "stroke-width": 2 })
      : svg("rect", { x, y: y - 9, width: 10, height: 10, fill: item.fill, stroke: "#000", "stroke-width": 0.5 }));
    group.append(svg("text", { x: x + 14, y, class: "legend-label" }, item.label));
    x += width;
  }
  return { group, height: legendItems(chart).length ? y - top + 20 : 0 };
}

function barChart(chart) {
  const stacked = chart.kind === "stacked";
  const groups = chart.labels.length;
  const ends = [0];
  chart.labels.forEach((_, index) => {
    const values = chart.series.map((series) => series.values[index]);
    if (stacked) ends.push(values.reduce((sum, value) => sum + value, 0));
    else ends.push(...values);
    if (chart.target) ends.push(chart.target.values[index]);
  });
  const scale = ticks(Math.min(...ends), Math.max(...ends));
  const low = scale[0];
  const high = scale[scale.length - 1];
  const left = LABEL_ROOM + 6;
  const right = WIDTH - 14;
  const x = (value) => left + ((value - low) / (high - low)) * (right - left);
  const bottom = groups * SLOT;
  const drawing = svg("g", { class: "plot" });
  for (const tick of scale) {
    drawing.append(
      svg("line", { x1: x(tick), x2: x(tick), y1: 0, y2: bottom, class: "grid" }),
      svg("text", { x: x(tick), y: bottom + 13, class: "tick", "text-anchor": "middle" }, tickText(tick, chart.valueType)));
  }
  const height = (SLOT - 5) / (stacked ? 1 : chart.series.length);
  chart.labels.forEach((label, index) => {
    const top = index * SLOT;
    const group = svg("g", { class: "group", "data-label": label }, svg("title", {}, label),
      svg("text", { x: 0, y: top + SLOT / 2 + 4, class: "label" }, shortened(label, LABEL_ROOM)));
    let start = 0;
    chart.series.forEach((series, number) => {
      const value = series.values[index];
      const [from, to] = stacked ? [start, start + value] : [0, value];
      start += stacked ? value : 0;
      const y = top + 2.5 + (stacked ? 0 : height * number);
      group.append(svg("rect", {
        class: "bar", x: Math.min(x(from), x(to)), y, width: Math.abs(x(to) - x(from)), height,
        fill: (stacked ? STACK : FILLS)[number % (stacked ? STACK : FILLS).length],
        stroke: "#000", "stroke-width": 0.5,
      }, svg("title", {}, `${label} · ${series.label}: ${figure(value, chart.valueType)}`)));
    });
    if (chart.target) {
      const mark = x(chart.target.values[index]);
      // A white halo keeps the black mark seen on a dark bar, in print as on screen.
      group.append(svg("line", {
        class: "target-halo", x1: mark, x2: mark, y1: top + 1, y2: top + SLOT - 1, stroke: "#fff", "stroke-width": 5,
      }));
      group.append(svg("line", {
        class: "target", x1: mark, x2: mark, y1: top + 1, y2: top + SLOT - 1, stroke: "#000", "stroke-width": 2.5,
      }, svg("title", {}, `${label} · ${chart.target.label}: ${figure(chart.target.values[index], chart.valueType)}`)));
    }
    drawing.append(group);
  });
  drawing.append(svg("line", { x1: x(0), x2: x(0), y1: 0, y2: bottom, class: "zero" }));
  return { drawing, height: bottom + 20 };
}

function lineChart(chart) {
  const values = chart.series.flatMap((series) => series.values);
  const scale = ticks(Math.min(0, ...values), Math.max(...values, 0));
  const low = scale[0];
  const high = scale[scale.length - 1];
  const left = 52;
  const right = WIDTH - 10;
  const points = chart.labels.length;
  const x = (index) => left + ((index + 0.5) * (right - left)) / Math.max(points, 1);
  const y = (value) => LINE_HEIGHT - ((value - low) / (high - low)) * LINE_HEIGHT;
  const drawing = svg("g", { class: "plot" });
  for (const tick of scale) {
    drawing.append(
      svg("line", { x1: left, x2: right, y1: y(tick), y2: y(tick), class: "grid" }),
      svg("text", { x: left - 5, y: y(tick) + 4, class: "tick", "text-anchor": "end" }, tickText(tick, chart.valueType)));
  }
  const every = Math.max(1, Math.ceil((points * 52) / (right - left)));
  chart.labels.forEach((label, index) => {
    if (index % every === 0) {
      drawing.append(svg("text", { x: x(index), y: LINE_HEIGHT + 14, class: "label", "text-anchor": "middle" }, label));
    }
  });
  chart.series.forEach((series) => {
    const at = series.values.map((value, index) => `${x(index)},${y(value)}`).join(" ");
    drawing.append(svg("polyline", { points: at, class: "line", fill: "none", stroke: "#000", "stroke-width": 1.5 }));
    series.values.forEach((value, index) => {
      drawing.append(svg("circle", { class: "point", cx: x(index), cy: y(value), r: 3, fill: "#000" },
        svg("title", {}, `${chart.labels[index]} · ${series.label}: ${figure(value, chart.valueType)}`)));
    });
  });
  drawing.append(svg("line", { x1: left, x2: right, y1: LINE_HEIGHT, y2: LINE_HEIGHT, class: "zero" }));
  return { drawing, height: LINE_HEIGHT + 22 };
}

// A <figure>: the title and unit as its caption, the chart as an SVG image with a description.
export function chartFigure(chart) {
  const { drawing, height } = chart.kind === "line" ? lineChart(chart) : barChart(chart);
  const key = legend(chart, height + 8);
  const total = height + key.height + 4;
  const described = `${chart.title}. ${chart.unit}. ${count(chart.labels.length)} of ${count(chart.groups)} groups.`;
  const image = svg("svg", {
    viewBox: `0 -4 ${WIDTH} ${total + 4}`, role: "img", "aria-label": described, class: `chart chart-${chart.kind}`,
  }, drawing, key.group);
  return el("figure", { class: "chart-preview", "data-kind": chart.kind },
    el("figcaption", {}, el("strong", {}, chart.title), " · ", chart.unit), image);
}
