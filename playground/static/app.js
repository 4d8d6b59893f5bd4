// The playground page: polls what the chosen person sees and sends what they do.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { render: md, plain } = window.Mrkdwn;
  const params = new URLSearchParams(window.location.search);

  const ui = {
    user: params.get("as") || "",
    pane: params.get("pane") || "channel",
    thread: null, // ts of the open thread's root
    state: null,
    drawn: "",
    modalKey: "",
    modalView: "",
    modalValues: {},
    modalErrors: {},
    dismissed: 0,
    dismissedEphemeral: new Set(),
    seenDm: {},
  };

  async function api(path, body) {
    const response = await fetch(path, body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: ui.user, ...body }),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function ctx(extra) {
    const me = ui.state.users[ui.user] || { tz: "UTC" };
    return {
      users: ui.state.users,
      me: ui.user,
      tz: me.tz,
      now: ui.state.now,
      botUserId: ui.state.bot_user_id,
      channel: ui.state.channel,
      channels: { [ui.state.channel.id]: ui.state.channel.name },
      state: {},
      errors: {},
      confirm,
      openUrl,
      onAction: () => {},
      ...extra,
    };
  }

  function currentChannel() {
    return ui.pane === "dm" ? ui.state.dm_id : ui.state.channel.id;
  }

  // ------------------------------------------------------------------ messages

  function initials(name) {
    return name.split(/\s+/).map((part) => part[0] || "").join("").slice(0, 2).toUpperCase();
  }

  function clockTime(ts) {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: ctx().tz, month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    }).format(new Date(Number(ts) * 1000));
  }

  function messageNode(message, channelId, { replies = [], inThread = false, ephemeral = null } = {}) {
    const bot = ui.state.users[ui.state.bot_user_id] || { name: "Hiring Bot" };
    const node = document.createElement("article");
    node.className = `message${ephemeral ? " ephemeral" : ""}`;
    if (message.ts) node.dataset.ts = message.ts;
    const avatar = document.createElement("div");
    avatar.className = "avatar";
    avatar.textContent = initials(bot.name);
    const body = document.createElement("div");
    body.className = "message-body";
    const head = document.createElement("div");
    head.className = "message-head";
    head.innerHTML = `<strong>${plain(bot.name)}</strong><span class="app-badge">APP</span>`
      + `<span class="message-time">${plain(clockTime(message.ts || message.at))}</span>`
      + (message.edited ? `<span class="message-edited">(edited)</span>` : "");
    body.append(head);
    const context = ctx({
      onAction: (element, blockId) => act(element, blockId, {
        channel: channelId, ts: ephemeral ? null : message.ts,
      }),
    });
    if (message.blocks && message.blocks.length) {
      body.append(window.Blocks.render(message.blocks, context));
    } else {
      const textNode = document.createElement("div");
      textNode.className = "bk-text";
      textNode.innerHTML = md(message.text, context);
      const wrap = document.createElement("div");
      wrap.className = "blocks";
      wrap.append(textNode);
      body.append(wrap);
    }
    if (ephemeral) {
      const note = document.createElement("div");
      note.className = "ephemeral-note";
      note.innerHTML = "Only visible to you · ";
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "link-button";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", () => { ui.dismissedEphemeral.add(ephemeral.id); draw(true); });
      note.append(dismiss);
      body.append(note);
    }
    if (!inThread && replies.length) {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "replies-link";
      link.textContent = `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`;
      link.addEventListener("click", () => openThread(message.ts));
      body.append(link);
    }
    node.append(avatar, body);
    return node;
  }

  function conversation(channelId, messages) {
    const roots = messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const list = document.createElement("div");
    list.className = "messages";
    for (const root of roots) {
      const replies = messages.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts);
      list.append(messageNode(root, channelId, { replies }));
    }
    for (const item of ui.state.ephemerals) {
      if (item.channel_id === channelId && !ui.dismissedEphemeral.has(item.id)) {
        list.append(messageNode({ text: item.text, blocks: item.blocks, at: item.at }, channelId, { ephemeral: item }));
      }
    }
    if (!list.children.length) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = ui.pane === "dm"
        ? "No messages yet: kits, reminders and your digest figures arrive here."
        : "No candidates yet. Type /mlops-candidate new below to add one.";
      list.append(empty);
    }
    return list;
  }

  function openThread(ts) {
    ui.thread = ts;
    draw(true);
  }

  function drawThread() {
    const pane = $("thread");
    const channelId = currentChannel();
    const messages = (ui.state.messages[ui.pane === "dm" ? "dm" : channelId] || []);
    const root = messages.find((m) => m.ts === ui.thread);
    if (!ui.thread || !root || ui.pane === "home") {
      pane.hidden = true;
      ui.threadShown = null;
      return;
    }
    pane.hidden = false;
    const body = $("thread-body");
    body.replaceChildren(messageNode(root, channelId, { inThread: true }));
    const replies = messages.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts);
    const count = document.createElement("div");
    count.className = "thread-count";
    count.textContent = `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`;
    body.append(count);
    for (const reply of replies) body.append(messageNode(reply, channelId, { inThread: true }));
    // A thread opens on its latest replies, as Slack's does.
    if (ui.threadShown !== ui.thread) body.scrollTop = body.scrollHeight;
    ui.threadShown = ui.thread;
  }

  // ------------------------------------------------------------------ panes

  function drawPane() {
    const header = $("pane-header");
    const body = $("pane-body");
    const composer = $("composer");
    for (const item of document.querySelectorAll(".nav-item")) {
      item.classList.toggle("active", item.dataset.pane === ui.pane);
    }
    if (ui.pane === "home") {
      header.innerHTML = "<strong>Hiring Bot</strong> <span class=\"muted\">· Home</span>";
      composer.hidden = true;
      const home = ui.state.home;
      const context = ctx({ onAction: (element, blockId) => act(element, blockId, { view_id: home && home.id, values: {} }) });
      body.replaceChildren(home ? window.Blocks.render(home.blocks, context) : Object.assign(document.createElement("p"), { className: "empty", textContent: "Opening App Home…" }));
      body.firstChild.classList.add("home");
      return;
    }
    composer.hidden = false;
    if (ui.pane === "dm") {
      header.innerHTML = "<strong>Hiring Bot</strong> <span class=\"muted\">· direct messages</span>";
      body.replaceChildren(conversation(ui.state.dm_id, ui.state.messages.dm));
    } else {
      header.innerHTML = `<strong># ${plain(ui.state.channel.name)}</strong> <span class="muted">· private · one thread per candidate</span>`;
      if (!ui.state.channel.member) {
        composer.hidden = true;
        const note = document.createElement("p");
        note.className = "empty private-note";
        note.textContent = `#${ui.state.channel.name} is a private channel and you are not a member: `
          + "its candidate threads never reach your Slack. Try the bot from your messages with it.";
        body.replaceChildren(note);
        return;
      }
      body.replaceChildren(conversation(ui.state.channel.id, ui.state.messages[ui.state.channel.id]));
    }
  }

  // ------------------------------------------------------------------ modals

  function drawModal() {
    const modals = ui.state.modals;
    const host = $("modal");
    const view = modals[modals.length - 1];
    if (!view) {
      host.hidden = true;
      host.replaceChildren();
      ui.modalKey = "";
      ui.modalView = "";
      return;
    }
    // What the person typed survives a redraw for field errors; a new or updated view
    // starts from what the bot put in it, as in Slack.
    if (ui.modalView !== `${view.id}:${view.hash}`) {
      ui.modalValues = {};
      if (!ui.modalView.startsWith(`${view.id}:`)) ui.modalErrors = {};
      ui.modalView = `${view.id}:${view.hash}`;
      ui.modalKey = "";
    }
    const key = `${ui.modalView}:${JSON.stringify(ui.modalErrors)}`;
    if (key === ui.modalKey) return;
    ui.modalKey = key;
    const context = ctx({
      state: ui.modalValues,
      errors: ui.modalErrors,
      onAction: (element, blockId) => act(element, blockId, { view_id: view.id, values: ui.modalValues }),
    });
    window.Modals.draw(host, view, context, {
      submit: async () => {
        try {
          const result = await api("/api/submit", { view_id: view.id, values: ui.modalValues });
          ui.modalErrors = result.errors || {};
        } finally {
          await refresh();
        }
      },
      close: () => closeModal(view),
    });
  }

  async function closeModal(view) {
    ui.modalErrors = {};
    // As Slack does, the close carries what the form held (Take notes keeps it).
    await api("/api/close", { view_id: view.id, values: ui.modalValues });
    await refresh();
  }

  function confirm(dialog) {
    const text = dialog.text || {};
    const html = text.type === "mrkdwn" ? md(text.text, ctx()) : plain(text.text);
    return window.Modals.confirm($("confirm"), dialog, html);
  }

  // ------------------------------------------------------------------ violations

  function drawViolations() {
    const host = $("violations");
    const shown = ui.state.violations.filter((v) => v.id > ui.dismissed);
    host.hidden = !shown.length;
    if (!shown.length) return;
    host.innerHTML = "<div class=\"violations-head\"><strong>Slack would refuse this</strong></div>";
    for (const item of shown.slice(-5)) {
      const row = document.createElement("div");
      row.className = "violation";
      row.innerHTML = `<code>${plain(item.where)}</code> → <strong>${plain(item.error)}</strong>`
        + item.details.map((d) => `<div class="violation-detail">${plain(d)}</div>`).join("");
      host.append(row);
    }
    const dismiss = Object.assign(document.createElement("button"), { type: "button", className: "link-button", textContent: "Dismiss" });
    dismiss.addEventListener("click", () => { ui.dismissed = shown[shown.length - 1].id; drawViolations(); });
    host.append(dismiss);
  }

  // ------------------------------------------------------------------ chrome

  function drawChrome() {
    const switcher = $("user-switcher");
    if (!switcher.options.length) {
      for (const person of ui.state.people) {
        switcher.append(Object.assign(document.createElement("option"), {
          value: person.id, textContent: `${person.name} — ${person.role}`,
        }));
      }
      switcher.value = ui.user;
    }
    $("nav-channel").textContent = `# ${ui.state.channel.name}`;
    // New DMs since this person last looked, as Slack's unread badge.
    const dms = ui.state.messages.dm;
    const latest = dms.length ? dms[dms.length - 1].ts : "0";
    if (ui.pane === "dm" || !(ui.user in ui.seenDm)) ui.seenDm[ui.user] = latest;
    const unread = dms.filter((m) => Number(m.ts) > Number(ui.seenDm[ui.user])).length;
    $("nav-dm").innerHTML = `<span>Hiring Bot · Messages</span>${unread ? `<span class="badge">${unread}</span>` : ""}`;
    const me = ui.state.people.find((p) => p.id === ui.user);
    $("who-note").innerHTML = me
      ? `You are <strong>${plain(me.name)}</strong>, ${plain(me.role.toLowerCase())}, in ${plain(me.tz.replace("_", " "))}.`
      : "";
    const face = new Intl.DateTimeFormat("en-GB", {
      timeZone: ctx().tz, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    }).format(new Date(ui.state.now * 1000));
    const shift = ui.state.offset_hours;
    const ahead = Math.abs(shift) < 0.02 ? "" : ` (${shift > 0 ? "+" : "−"}${Math.abs(shift).toFixed(1)} h)`;
    $("clock-face").textContent = `${face}${ahead}`;
  }

  function draw(force) {
    // The hour is part of it: "today", "tomorrow" and "ago" in date tokens move with the clock.
    const hour = Math.floor(ui.state.now / 3600);
    const snapshot = JSON.stringify([ui.state.messages, ui.state.home, ui.state.ephemerals, ui.pane, ui.thread, ui.user, hour]);
    drawChrome();
    drawModal();
    drawViolations();
    if (!force && snapshot === ui.drawn) return;
    ui.drawn = snapshot;
    const scroller = $("pane-body");
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const position = scroller.scrollTop;
    drawPane();
    drawThread();
    scroller.scrollTop = atBottom ? scroller.scrollHeight : position;
  }

  async function refresh() {
    ui.state = await api(`/api/state?user=${encodeURIComponent(ui.user)}`);
    draw(false);
  }

  // ------------------------------------------------------------------ doing things

  async function act(element, blockId, where) {
    await api("/api/action", { element, block_id: blockId, ...where });
    await settle();
  }

  // The bot works after its ack: look again a few times so its answer shows at once.
  async function settle() {
    for (const wait of [150, 350, 700]) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      await refresh();
    }
  }

  function choose(pane) {
    ui.pane = pane;
    ui.thread = null;
    const url = new URL(window.location.href);
    url.searchParams.set("pane", pane);
    url.searchParams.set("as", ui.user);
    window.history.replaceState(null, "", url);
    if (pane === "home") api("/api/home", {}).then(settle);
    draw(true);
  }

  // A permalink into this workspace opens its thread here; anything else a new tab.
  function openPermalink(url) {
    const match = /\/archives\/([A-Z0-9]+)\/p(\d+)(?:\?thread_ts=([\d.]+))?/.exec(url);
    if (!match) return false;
    const ts = `${match[2].slice(0, -6)}.${match[2].slice(-6)}`;
    ui.pane = match[1] === ui.state.channel.id ? "channel" : "dm";
    openThread(match[3] || ts);
    return true;
  }

  function openUrl(url) {
    if (!openPermalink(url)) window.open(url, "_blank", "noopener");
  }

  function followLink(event) {
    const link = event.target.closest("a[data-link]");
    if (link && openPermalink(link.dataset.link)) event.preventDefault();
  }

  async function start() {
    const first = await api("/api/state?user=");
    ui.user = ui.user || first.people[0].id;
    $("user-switcher").addEventListener("change", (event) => {
      ui.user = event.target.value;
      ui.modalKey = "";
      ui.modalView = "";
      choose(ui.pane);
      refresh();
    });
    for (const item of document.querySelectorAll(".nav-item")) {
      item.addEventListener("click", () => choose(item.dataset.pane));
    }
    $("clock-morning").addEventListener("click", async () => {
      await api("/api/morning", {});
      await settle();
    });
    for (const item of document.querySelectorAll(".clock-button[data-hours]")) {
      item.addEventListener("click", async () => {
        await api("/api/clock", { hours: Number(item.dataset.hours) });
        await settle();
      });
    }
    $("thread-close").addEventListener("click", () => { ui.thread = null; draw(true); });
    document.body.addEventListener("click", followLink);
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("composer-input");
      const typed = input.value.trim();
      const match = /^\/mlops-candidate\b\s*(.*)$/s.exec(typed);
      if (!match) {
        input.setCustomValidity("The playground sends slash commands: start with /mlops-candidate");
        input.reportValidity();
        return;
      }
      input.setCustomValidity("");
      input.value = "";
      await api("/api/command", { text: match[1], channel: currentChannel() });
      await settle();
    });
    $("composer-input").addEventListener("input", (event) => event.target.setCustomValidity(""));
    await refresh();
    choose(ui.pane);
    setInterval(() => refresh().catch(() => {}), 1000);
  }

  start();
})();
