// Block Kit as DOM: every block and element the bot uses, and a visible note for any other.
// In a modal, inputs write their value into ctx.state (Slack's view.state.values shape);
// buttons and selects outside inputs call ctx.onAction, as Slack sends block_actions.
"use strict";

(function () {
  const { render: md, plain, escapeHtml } = window.Mrkdwn;

  function el(tag, className, html) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function text(object, ctx) {
    if (!object) return "";
    return object.type === "mrkdwn" ? md(object.text, ctx) : plain(object.text);
  }

  function unknown(kind, what) {
    const node = el("div", "unknown");
    node.textContent = `Unsupported ${kind}: ${what}`;
    return node;
  }

  // --------------------------------------------------------------- zone arithmetic

  // The UTC instant of a wall-clock date and time in ``tz`` (no library: two passes of
  // Intl's offset are exact away from the hour a clock changes).
  function zonedToUnix(dateText, timeText, tz) {
    const [y, m, d] = dateText.split("-").map(Number);
    const [hh, mm] = timeText.split(":").map(Number);
    const wall = Date.UTC(y, m - 1, d, hh, mm);
    let guess = wall;
    for (let i = 0; i < 2; i += 1) guess = wall - offsetOf(guess, tz);
    return Math.round(guess / 1000);
  }

  function offsetOf(instant, tz) {
    const p = {};
    for (const part of new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(instant))) p[part.type] = part.value;
    const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return asUtc - Math.floor(instant / 1000) * 1000;
  }

  function unixToZoned(seconds, tz) {
    const p = {};
    for (const part of new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit",
    }).formatToParts(new Date(seconds * 1000))) p[part.type] = part.value;
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
  }

  // --------------------------------------------------------------- elements

  function button(element, blockId, ctx) {
    const node = el("button", `bk-button ${element.style ? `bk-${element.style}` : ""}`, plain(element.text && element.text.text));
    node.type = "button";
    node.dataset.actionId = element.action_id || "";
    node.addEventListener("click", async () => {
      if (element.confirm && !(await ctx.confirm(element.confirm))) return;
      if (element.url) ctx.openUrl(element.url);
      ctx.onAction(element, blockId);
    });
    return node;
  }

  function options(element) {
    const groups = element.option_groups || [{ options: element.options || [] }];
    return groups.flatMap((group) => group.options || []);
  }

  function staticSelect(element, blockId, ctx, input) {
    const node = el("select", "bk-select");
    node.dataset.actionId = element.action_id || "";
    const blank = el("option", "", plain((element.placeholder && element.placeholder.text) || "Select an item"));
    blank.value = "";
    node.append(blank);
    for (const option of options(element)) {
      const item = el("option", "", plain(option.text.text));
      item.value = option.value;
      node.append(item);
    }
    const current = input ? input.get() : null;
    const initial = current ? current.selected_option : element.initial_option;
    node.value = initial ? initial.value : "";
    const chosen = () => options(element).find((o) => o.value === node.value) || null;
    if (input) input.set({ type: element.type, selected_option: chosen() });
    node.addEventListener("change", () => {
      if (input) input.set({ type: element.type, selected_option: chosen() });
      else if (chosen()) ctx.onAction({ ...element, selected_option: chosen() }, blockId);
    });
    return node;
  }

  function people(ctx) {
    return Object.entries(ctx.users).filter(([id]) => id !== ctx.botUserId);
  }

  function usersSelect(element, ctx, input) {
    const node = el("select", "bk-select");
    node.dataset.actionId = element.action_id || "";
    node.append(Object.assign(el("option", "", "Select a person"), { value: "" }));
    for (const [id, user] of people(ctx)) {
      node.append(Object.assign(el("option", "", plain(user.name)), { value: id }));
    }
    const current = input && input.get();
    node.value = (current ? current.selected_user : element.initial_user) || "";
    const sync = () => input && input.set({ type: element.type, selected_user: node.value || null });
    sync();
    node.addEventListener("change", sync);
    return node;
  }

  function multiUsersSelect(element, ctx, input) {
    const node = el("div", "bk-multi");
    node.dataset.actionId = element.action_id || "";
    const current = input && input.get();
    const chosen = new Set((current ? current.selected_users : element.initial_users) || []);
    const sync = () => input && input.set({ type: element.type, selected_users: [...chosen] });
    for (const [id, user] of people(ctx)) {
      const chip = el("button", `chip ${chosen.has(id) ? "chip-on" : ""}`, plain(user.name));
      chip.type = "button";
      chip.dataset.user = id;
      chip.setAttribute("aria-pressed", String(chosen.has(id)));
      chip.addEventListener("click", () => {
        if (chosen.has(id)) chosen.delete(id); else chosen.add(id);
        chip.classList.toggle("chip-on", chosen.has(id));
        chip.setAttribute("aria-pressed", String(chosen.has(id)));
        sync();
      });
      node.append(chip);
    }
    sync();
    return node;
  }

  function conversationsSelect(element, ctx, input) {
    const node = el("select", "bk-select");
    node.append(Object.assign(el("option", "", `# ${plain(ctx.channel.name)}`), { value: ctx.channel.id }));
    const sync = () => input && input.set({ type: element.type, selected_conversation: node.value });
    sync();
    node.addEventListener("change", sync);
    return node;
  }

  function choices(element, input, multiple) {
    const node = el("div", "bk-choices");
    node.dataset.actionId = element.action_id || "";
    const current = input && input.get();
    const initial = multiple
      ? (current ? current.selected_options : element.initial_options) || []
      : [(current ? current.selected_option : element.initial_option)].filter(Boolean);
    const picked = new Set(initial.map((o) => o.value));
    const name = `${element.action_id}-${Math.random().toString(36).slice(2)}`;
    const sync = () => {
      const chosen = (element.options || []).filter((o) => picked.has(o.value));
      if (!input) return;
      input.set(multiple
        ? { type: element.type, selected_options: chosen }
        : { type: element.type, selected_option: chosen[0] || null });
    };
    for (const option of element.options || []) {
      const row = el("label", "bk-choice");
      const box = document.createElement("input");
      box.type = multiple ? "checkbox" : "radio";
      box.name = name;
      box.value = option.value;
      box.checked = picked.has(option.value);
      box.addEventListener("change", () => {
        if (!multiple) picked.clear();
        if (box.checked) picked.add(option.value); else picked.delete(option.value);
        sync();
      });
      const label = el("span", "bk-choice-text", text(option.text, {}));
      if (option.description) label.append(el("span", "bk-choice-description", text(option.description, {})));
      row.append(box, label);
      node.append(row);
    }
    sync();
    return node;
  }

  function textInput(element, input) {
    const multiline = element.multiline;
    const node = document.createElement(multiline ? "textarea" : "input");
    node.className = "bk-input";
    node.dataset.actionId = element.action_id || "";
    if (!multiline) node.type = { url_text_input: "url", email_text_input: "email", number_input: "text" }[element.type] || "text";
    if (element.placeholder) node.placeholder = element.placeholder.text;
    if (element.max_length) node.maxLength = element.max_length;
    const current = input && input.get();
    node.value = (current ? current.value : element.initial_value) || "";
    const sync = () => input && input.set({ type: element.type, value: node.value === "" ? null : node.value });
    sync();
    node.addEventListener("input", sync);
    return node;
  }

  function datetimePicker(element, ctx, input) {
    const node = el("div", "bk-datetime");
    node.dataset.actionId = element.action_id || "";
    const date = Object.assign(document.createElement("input"), { type: "date", className: "bk-input" });
    const time = Object.assign(document.createElement("input"), { type: "time", className: "bk-input" });
    const current = input && input.get();
    const seconds = current ? current.selected_date_time : element.initial_date_time;
    if (seconds) {
      const zoned = unixToZoned(seconds, ctx.tz);
      date.value = zoned.date;
      time.value = zoned.time;
    }
    const sync = () => {
      if (!input) return;
      const value = date.value && time.value ? zonedToUnix(date.value, time.value, ctx.tz) : null;
      input.set({ type: element.type, selected_date_time: value });
    };
    sync();
    date.addEventListener("input", sync);
    time.addEventListener("input", sync);
    node.append(date, time, el("span", "bk-zone", plain(ctx.tz)));
    return node;
  }

  function simplePicker(element, input, kind) {
    const node = Object.assign(document.createElement("input"), { type: kind, className: "bk-input" });
    node.dataset.actionId = element.action_id || "";
    const key = kind === "date" ? "selected_date" : "selected_time";
    const current = input && input.get();
    node.value = (current ? current[key] : element[kind === "date" ? "initial_date" : "initial_time"]) || "";
    const sync = () => input && input.set({ type: element.type, [key]: node.value || null });
    sync();
    node.addEventListener("input", sync);
    return node;
  }

  function element(element, blockId, ctx, input) {
    switch (element.type) {
      case "button": return button(element, blockId, ctx);
      case "static_select": return staticSelect(element, blockId, ctx, input);
      case "users_select": return usersSelect(element, ctx, input);
      case "multi_users_select": return multiUsersSelect(element, ctx, input);
      case "conversations_select":
      case "channels_select": return conversationsSelect(element, ctx, input);
      case "radio_buttons": return choices(element, input, false);
      case "checkboxes": return choices(element, input, true);
      case "plain_text_input":
      case "url_text_input":
      case "email_text_input":
      case "number_input": return textInput(element, input);
      case "datetimepicker": return datetimePicker(element, ctx, input);
      case "datepicker": return simplePicker(element, input, "date");
      case "timepicker": return simplePicker(element, input, "time");
      case "image": return Object.assign(el("img", "bk-image"), { src: element.image_url, alt: element.alt_text || "" });
      case "mrkdwn":
      case "plain_text": return el("span", "bk-context-text", text(element, ctx));
      default: return unknown("element", element.type);
    }
  }

  // --------------------------------------------------------------- blocks

  function inputAccess(ctx, blockId, actionId) {
    return {
      get: () => (ctx.state[blockId] || {})[actionId] || null,
      set: (value) => { ctx.state[blockId] = { [actionId]: value }; },
    };
  }

  function block(item, ctx) {
    const blockId = item.block_id || "";
    switch (item.type) {
      case "section": {
        const node = el("div", "bk-section");
        const body = el("div", "bk-section-body");
        if (item.text) body.append(el("div", "bk-text", text(item.text, ctx)));
        if (item.fields) {
          const fields = el("div", "bk-fields");
          for (const field of item.fields) fields.append(el("div", "bk-field", text(field, ctx)));
          body.append(fields);
        }
        node.append(body);
        if (item.accessory) {
          // append returns nothing: the accessory's holder is kept to append to.
          const holder = el("div", "bk-accessory");
          holder.append(element(item.accessory, blockId, ctx, null));
          node.append(holder);
        }
        return node;
      }
      case "header": return el("h3", "bk-header", plain(item.text && item.text.text));
      case "divider": return el("hr", "bk-divider");
      case "context": {
        const node = el("div", "bk-context");
        for (const part of item.elements || []) node.append(element(part, blockId, ctx, null));
        return node;
      }
      case "actions": {
        const node = el("div", "bk-actions");
        for (const part of item.elements || []) node.append(element(part, blockId, ctx, null));
        return node;
      }
      case "image": {
        const node = el("figure", "bk-image-block");
        node.append(Object.assign(el("img"), { src: item.image_url, alt: item.alt_text || "" }));
        return node;
      }
      case "input": {
        const node = el("div", "bk-input-block");
        node.dataset.blockId = blockId;
        const label = el("label", "bk-label", plain(item.label && item.label.text));
        if (item.optional) label.append(el("span", "bk-optional", " (optional)"));
        node.append(label);
        const actionId = item.element && item.element.action_id;
        node.append(element(item.element || {}, blockId, ctx, inputAccess(ctx, blockId, actionId)));
        if (item.hint) node.append(el("div", "bk-hint", plain(item.hint.text)));
        const error = ctx.errors && ctx.errors[blockId];
        if (error) node.append(el("div", "bk-error", plain(error)));
        return node;
      }
      default: return unknown("block", item.type);
    }
  }

  function render(blocks, ctx) {
    const node = el("div", "blocks");
    for (const item of blocks || []) node.append(block(item, ctx));
    return node;
  }

  window.Blocks = { render, zonedToUnix, escapeHtml };
})();
