// Words and numbers as a person reads them.

const numbers = new Intl.NumberFormat();
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayAndClock = new Intl.DateTimeFormat(undefined, {
  day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});

// "practiceAreaId" -> "Practice area", "non_billable" -> "Non billable", "last7Days" -> "Last 7 days"
export function humanize(name) {
  const words = String(name)
    .replace(/Id$/, "")
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([a-z])([0-9])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function count(value) {
  return numbers.format(value);
}

export function plural(value, noun) {
  return `${count(value)} ${noun}${value === 1 ? "" : "s"}`;
}

export function fileSize(bytes) {
  if (bytes < 1024) return `${count(bytes)} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString() ? clock.format(date) : dayAndClock.format(date);
}

export function timeLeft(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((new Date(iso).getTime() - now) / 1000));
  if (seconds < 5) return "finishing";
  let span = `${seconds} s`;
  if (seconds >= 90) span = `${Math.round(seconds / 60)} min`;
  if (seconds >= 90 * 60) span = `${count(Math.round(seconds / 3600))} h`;
  return `about ${span} left, done around ${when(iso)}`;
}
