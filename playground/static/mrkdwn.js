// Slack's mrkdwn as HTML: <@user>, <#channel>, <!date^…>, links, *bold*, _italic_, ~strike~,
// `code`, ```blocks```, > quotes and bullet lines. Text arrives with Slack's own escaping
// (&amp; &lt; &gt;); everything shown is escaped again for HTML.
"use strict";

(function () {
  function escapeHtml(text) {
    return text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function unescapeSlack(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  const ORDINAL = { one: "st", two: "nd", few: "rd", other: "th" };
  const plural = new Intl.PluralRules("en-US", { type: "ordinal" });

  function parts(date, tz, options) {
    const out = {};
    for (const part of new Intl.DateTimeFormat("en-US", { timeZone: tz, ...options }).formatToParts(date)) {
      out[part.type] = part.value;
    }
    return out;
  }

  function dayKey(date, tz) {
    const p = parts(date, tz, { year: "numeric", month: "2-digit", day: "2-digit" });
    return `${p.year}-${p.month}-${p.day}`;
  }

  // One of Slack's date tokens ({date_short}, {time}, {ago}…) for a reader in ``tz``.
  function dateToken(name, date, ctx) {
    const tz = ctx.tz;
    const p = parts(date, tz, {
      year: "numeric", month: "long", day: "numeric", weekday: "long",
      hour: "numeric", minute: "2-digit", second: "2-digit",
    });
    const short = parts(date, tz, { month: "short" }).month;
    const day = `${p.day}${ORDINAL[plural.select(Number(p.day))]}`;
    const pretty = () => {
      const now = new Date(ctx.now * 1000);
      const key = dayKey(date, tz);
      for (const [shift, word] of [[0, "today"], [-1, "yesterday"], [1, "tomorrow"]]) {
        if (key === dayKey(new Date(now.getTime() + shift * 86400000), tz)) return word;
      }
      return null;
    };
    switch (name) {
      case "date_num": return dayKey(date, tz);
      case "date": return `${p.month} ${day}, ${p.year}`;
      case "date_short": return `${short} ${p.day}, ${p.year}`;
      case "date_long": return `${p.weekday}, ${p.month} ${day}, ${p.year}`;
      case "date_pretty": return pretty() || `${p.month} ${day}, ${p.year}`;
      case "date_short_pretty": return pretty() || `${short} ${p.day}, ${p.year}`;
      case "date_long_pretty": return pretty() || `${p.weekday}, ${p.month} ${day}, ${p.year}`;
      case "time": return `${p.hour}:${p.minute} ${p.dayPeriod}`;
      case "time_secs": return `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`;
      case "ago": {
        const minutes = Math.round((ctx.now * 1000 - date.getTime()) / 60000);
        const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
        if (Math.abs(minutes) < 60) return rtf.format(-minutes, "minute");
        if (Math.abs(minutes) < 1440) return rtf.format(-Math.round(minutes / 60), "hour");
        return rtf.format(-Math.round(minutes / 1440), "day");
      }
      default: return null;
    }
  }

  // "<…>" entities: mentions, channels, dates, links. Returns HTML.
  function entity(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const user = ctx.users[id];
      const name = user ? user.name : (label || id);
      const me = id === ctx.me ? " mention-me" : "";
      return `<span class="mention${me}" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = label || (ctx.channels && ctx.channels[id]) || id;
      return `<span class="mention">#${escapeHtml(name)}</span>`;
    }
    if (target.startsWith("!date^")) {
      const [, ts, format, link] = target.split("^");
      const date = new Date(Number(ts) * 1000);
      if (Number.isNaN(date.getTime())) return escapeHtml(unescapeSlack(label || ""));
      const text = unescapeSlack(format || "").replace(/\{(\w+)\}/g, (whole, name) => {
        const value = dateToken(name, date, ctx);
        return value === null ? whole : value;
      });
      const shown = `<time class="date-token" datetime="${date.toISOString()}" title="${escapeHtml(ctx.tz)}">${escapeHtml(text)}</time>`;
      return link ? `<a href="${escapeHtml(unescapeSlack(link))}" target="_blank" rel="noopener">${shown}</a>` : shown;
    }
    if (target.startsWith("!")) {
      return `<span class="mention">@${escapeHtml(label || target.slice(1).split("^")[0])}</span>`;
    }
    const url = unescapeSlack(target);
    const text = label === undefined ? url : unescapeSlack(label);
    const safe = /^(https?:|mailto:)/i.test(url) ? url : "#";
    return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener" data-link="${escapeHtml(safe)}">${escapeHtml(text)}</a>`;
  }

  function splitOnce(text, separator) {
    const at = text.indexOf(separator);
    return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
  }

  const STYLES = [
    [/(^|[\s(>"'])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,!?:;'"<_~])/g, "strong"],
    [/(^|[\s(>"'])_(?=\S)([^_\n]*?\S)_(?=$|[\s).,!?:;'"<*~])/g, "em"],
    [/(^|[\s(>"'])~(?=\S)([^~\n]*?\S)~(?=$|[\s).,!?:;'"<*_])/g, "del"],
  ];

  // Inline formatting of one line's text (no code in it). Entities become placeholders
  // first, so that a name with an underscore is not read as italics.
  function inline(text, ctx) {
    const held = [];
    let out = text.replace(/<([^<>\n]+)>/g, (whole, inner) => {
      held.push(entity(inner, ctx));
      return `\u0000${held.length - 1}\u0000`;
    });
    out = escapeHtml(unescapeSlack(out));
    for (const [pattern, tag] of STYLES) {
      out = out.replace(pattern, (whole, lead, body) => `${lead}<${tag}>${body}</${tag}>`);
      out = out.replace(pattern, (whole, lead, body) => `${lead}<${tag}>${body}</${tag}>`);
    }
    return out.replace(/\u0000(\d+)\u0000/g, (whole, index) => held[Number(index)]);
  }

  function withCode(text, ctx) {
    return text
      .split(/(`[^`\n]+`)/g)
      .map((piece) =>
        /^`[^`\n]+`$/.test(piece)
          ? `<code>${escapeHtml(unescapeSlack(piece.slice(1, -1)))}</code>`
          : inline(piece, ctx))
      .join("");
  }

  function lines(text, ctx) {
    const html = [];
    let quote = [];
    let list = [];
    const flush = () => {
      if (quote.length) html.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
      if (list.length) html.push(`<ul>${list.map((item) => `<li>${item}</li>`).join("")}</ul>`);
      quote = [];
      list = [];
    };
    for (const line of text.split("\n")) {
      const quoted = /^(&gt;|>)\s?(.*)$/.exec(line);
      const bullet = /^\s*[•◦▪\-]\s+(.*)$/.exec(line);
      if (quoted) {
        if (list.length) flush();
        quote.push(withCode(quoted[2], ctx));
      } else if (bullet) {
        if (quote.length) flush();
        list.push(withCode(bullet[1], ctx));
      } else {
        flush();
        html.push(`${withCode(line, ctx)}<br>`);
      }
    }
    flush();
    return html.join("").replace(/<br>$/, "");
  }

  function render(text, ctx) {
    return String(text || "")
      .split(/```/)
      .map((piece, index) =>
        index % 2 === 1
          ? `<pre class="code-block">${escapeHtml(unescapeSlack(piece.replace(/^\n/, "")))}</pre>`
          : lines(piece, ctx))
      .join("");
  }

  // A plain_text object: Slack shows it as typed, with :emoji: only when asked.
  function plain(text) {
    return escapeHtml(String(text || ""));
  }

  window.Mrkdwn = { render, plain, escapeHtml };
})();
