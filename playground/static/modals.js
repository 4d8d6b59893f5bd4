// Modals as Slack draws them (title bar, the view's blocks, Cancel and Submit), and the
// small dialog a button with ``confirm`` asks first. The page keeps their state.
"use strict";

(function () {
  const { plain } = window.Mrkdwn;

  function button(text, className, onClick) {
    const node = Object.assign(document.createElement("button"), { type: "button", className, textContent: text });
    node.addEventListener("click", onClick);
    return node;
  }

  // ``view`` into ``host``, its blocks rendered with ``context`` (which holds the values
  // typed so far and the bot's field errors).
  function draw(host, view, context, { submit, close }) {
    const dialog = document.createElement("div");
    dialog.className = "modal";
    dialog.setAttribute("role", "dialog");
    dialog.dataset.callbackId = view.callback_id || "";
    const head = document.createElement("div");
    head.className = "modal-head";
    head.innerHTML = `<h2>${plain(view.title && view.title.text)}</h2>`;
    const cross = button("×", "icon-button", close);
    cross.setAttribute("aria-label", "Close");
    head.append(cross);
    const body = document.createElement("div");
    body.className = "modal-body";
    body.append(window.Blocks.render(view.blocks, context));
    const foot = document.createElement("div");
    foot.className = "modal-foot";
    foot.append(button((view.close && view.close.text) || "Cancel", "bk-button", close));
    if (view.submit) {
      const go = button(view.submit.text, "bk-button bk-primary modal-submit", async () => {
        go.disabled = true;
        try {
          await submit();
        } finally {
          go.disabled = false;
        }
      });
      foot.append(go);
    }
    dialog.append(head, body, foot);
    host.replaceChildren(dialog);
    host.hidden = false;
  }

  // Resolves true when the person confirms; ``html`` is the dialog's text, rendered.
  function confirm(host, dialog, html) {
    return new Promise((resolve) => {
      const box = document.createElement("div");
      box.className = "modal confirm";
      box.innerHTML = `<div class="modal-head"><h2>${plain(dialog.title && dialog.title.text)}</h2></div>`
        + `<div class="modal-body">${html}</div>`;
      const answer = (yes) => { host.hidden = true; host.replaceChildren(); resolve(yes); };
      const foot = document.createElement("div");
      foot.className = "modal-foot";
      foot.append(
        button((dialog.deny && dialog.deny.text) || "Cancel", "bk-button", () => answer(false)),
        button((dialog.confirm && dialog.confirm.text) || "Yes", `bk-button bk-${dialog.style || "primary"} confirm-go`, () => answer(true)),
      );
      box.append(foot);
      host.replaceChildren(box);
      host.hidden = false;
    });
  }

  window.Modals = { draw, confirm };
})();
