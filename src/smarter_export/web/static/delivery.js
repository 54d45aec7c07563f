// The form's "Repeat and notify" part: once now, or a schedule (a cron expression made from the
// choice, or typed), and who is e-mailed when it is done. The signed-in person's own address
// (the token's `email` claim) is offered by default; the box is ticked for a schedule, which
// runs while nobody watches the page, and left for a one-off export, which one usually does.

const CRON = {
  daily: (minute, hour) => `${minute} ${hour} * * *`,
  weekdays: (minute, hour) => `${minute} ${hour} * * 1-5`,
  weekly: (minute, hour) => `${minute} ${hour} * * 1`,
  monthly: (minute, hour) => `${minute} ${hour} 1 * *`,
};

export class DeliveryFields {
  constructor({ onChange }) {
    this.repeat = document.getElementById("f-repeat");
    this.at = document.getElementById("f-repeat-at");
    this.cronInput = document.getElementById("f-cron");
    this.name = document.getElementById("f-name");
    this.timezone = document.getElementById("f-timezone");
    this.notify = document.getElementById("f-notify");
    this.emails = document.getElementById("f-notify-emails");
    this.notifyTouched = false;
    this.onChange = onChange;
    this.repeat.addEventListener("change", () => this.refresh());
    this.notify.addEventListener("change", () => {
      this.notifyTouched = true;
      this.refresh();
    });
  }

  // After sign-in: the person's own address is the one offered.
  signedIn(email) {
    this.emails.value = email || "";
    this.emails.placeholder = "partner@firm.example";
    this.notifyTouched = false;
    this.repeat.value = "";
    this.refresh();
  }

  isSchedule() {
    return this.repeat.value !== "";
  }

  refresh() {
    const schedule = this.isSchedule();
    if (!this.notifyTouched) this.notify.checked = schedule;
    document.getElementById("repeat-at-field").hidden = !schedule || this.repeat.value === "custom";
    document.getElementById("cron-field").hidden = this.repeat.value !== "custom";
    // A refused cron is the typed one's fault when typed, the choice's otherwise.
    this.repeat.closest("[data-field]").dataset.errorTarget = this.repeat.value === "custom" ? "f-cron" : "f-repeat";
    document.getElementById("schedule-name-field").hidden = !schedule;
    document.getElementById("schedule-zone-field").hidden = !schedule;
    this.emails.hidden = !this.notify.checked;
    this.onChange(schedule);
  }

  cron() {
    if (this.repeat.value === "custom") return this.cronInput.value.trim();
    const [hour, minute] = (this.at.value || "07:00").split(":").map(Number);
    return CRON[this.repeat.value](minute, hour);
  }

  // `{"emails": [...]}` when the box is ticked; undefined when nobody is to be told.
  notifyValue() {
    if (!this.notify.checked) return undefined;
    const emails = this.emails.value.split(/[,;\s]+/).map((part) => part.trim()).filter(Boolean);
    return { emails };
  }

  // The schedule's own fields, beside the export body; `title` names it when no name is given.
  scheduleFields(title) {
    const fields = { name: this.name.value.trim() || `${title}, ${this.describe()}`, cron: this.cron() };
    if (this.timezone.value.trim()) fields.timezone = this.timezone.value.trim();
    return fields;
  }

  describe() {
    if (this.repeat.value === "custom") return this.cron();
    return this.repeat.selectedOptions[0].textContent.toLowerCase();
  }
}
