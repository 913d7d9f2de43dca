/* The edit page's comforts (issue 12): a formatting toolbar, keyboard shortcuts, a live
 * preview, a draft kept by the browser, rich text pasted as wiki syntax, a save button
 * that cannot be clicked twice, and the MediaWiki conversion in place.
 *
 * Comfort only: the form works the same without this script (the server does the
 * preview, the conversion, and keeps the text when a save is refused). Every sentence
 * comes from the page (#editor-texts, in the reader's language): none is written here.
 * No framework, no inline style (the CSP): state shows through classes and `hidden`.
 */
(() => {
  "use strict";

  const form = document.getElementById("edit-form");
  const area = form && form.querySelector("textarea[name=text]");
  const textsNode = document.getElementById("editor-texts");
  if (!form || !area || !textsNode) return;

  const T = JSON.parse(textsNode.textContent);
  const fmt = (sentence, params) =>
    sentence.replace(/%\((\w+)\)s/g, (_, name) => String(params[name]));
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === false || value == null) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    node.append(...children);
    return node;
  };
  const store = (() => {
    try {
      const probe = "wikicoop.probe";
      localStorage.setItem(probe, "1");
      localStorage.removeItem(probe);
      return localStorage;
    } catch (err) {
      return null; // private browsing, storage refused: no draft, no remembered toggle
    }
  })();
  const offer = document.getElementById("convertir"); // the MediaWiki conversion
  const csrf = () => (form.querySelector("input[name=csrf_token]") || {}).value || "";
  // the API checks the form's CSRF token on a call made with the session cookie
  const postJSON = (url, body, abort) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: JSON.stringify(body),
      signal: abort ? abort.signal : undefined,
    });
  const button = (name) => form.querySelector(`[name=${name}][type=submit]`);
  let uid = 0;
  const newId = (prefix) => `${prefix}-${++uid}`;

  /* -- editing text -- */

  // execCommand keeps the browser's own undo (Ctrl+Z); setRangeText when it is missing
  function replaceRange(start, end, text, selectFrom = null, selectTo = null) {
    area.focus();
    area.setSelectionRange(start, end);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (err) {
      done = false;
    }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const from = selectFrom == null ? start + text.length : start + selectFrom;
    const to = selectTo == null ? from : start + selectTo;
    area.setSelectionRange(from, to);
  }

  function wrap(before, after, sample) {
    const { selectionStart: s, selectionEnd: e, value } = area;
    const inner = value.slice(s, e) || sample;
    replaceRange(s, e, before + inner + after, before.length, before.length + inner.length);
  }

  function prefixLines(prefix, sample) {
    const { selectionStart: s, selectionEnd: e, value } = area;
    const lineStart = value.lastIndexOf("\n", s - 1) + 1;
    let lineEnd = value.indexOf("\n", e);
    if (lineEnd === -1) lineEnd = value.length;
    const lines = value.slice(lineStart, lineEnd);
    if (!lines.trim()) {
      replaceRange(lineStart, lineEnd, prefix + sample, prefix.length, prefix.length + sample.length);
      return;
    }
    const bare = (line) => line.replace(/^(#{1,6} |- |\* |\d+\. )/, "");
    const changed = lines.split("\n").map((line) => (line.trim() ? prefix + bare(line) : line));
    replaceRange(lineStart, lineEnd, changed.join("\n"), 0, changed.join("\n").length);
  }

  function insertBlock(block) {
    // on its own lines after the current one (the words chosen stay)
    const { selectionEnd: end, value } = area;
    const next = value.indexOf("\n", end);
    const s = next === -1 ? value.length : next;
    const e = s;
    const before = s > 0 && value[s - 1] !== "\n" ? "\n\n" : s > 1 && value[s - 2] !== "\n" ? "\n" : "";
    const after = value[e] && value[e] !== "\n" ? "\n\n" : "\n";
    replaceRange(s, e, before + block + after);
  }

  function insertTable() {
    const [one, two] = T.tableHeader;
    const cell = T.tableCell;
    insertBlock(`| ${one} | ${two} |\n| --- | --- |\n| ${cell} | ${cell} |\n| ${cell} | ${cell} |`);
  }

  /* -- dialogs -- */

  // one small modal dialog at a time (<dialog>: focus kept inside, Escape closes it)
  function openDialog(heading, fields, onInsert, extra) {
    const saved = [area.selectionStart, area.selectionEnd];
    const headingId = newId("dialogue-titre");
    const dialog = el("dialog", { class: "editor-dialog", "aria-labelledby": headingId });
    const body = el("form", { method: "dialog", class: "editor-dialog-form" });
    body.append(el("h2", { id: headingId }, heading));
    for (const field of fields) body.append(field.row);
    if (extra) body.append(extra);
    const close = () => {
      dialog.close();
      dialog.remove();
      area.focus();
      area.setSelectionRange(saved[0], saved[1]);
    };
    body.append(
      el(
        "p",
        { class: "editor-dialog-buttons" },
        el("button", { type: "submit", class: "button primary" }, T.insert),
        " ",
        el("button", { type: "button", class: "button", onclick: close }, T.cancel)
      )
    );
    body.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = fields.map((field) => field.input.value.trim());
      close();
      onInsert(values, saved);
    });
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close();
    });
    dialog.append(body);
    document.body.append(dialog);
    dialog.showModal();
    fields[0].input.focus();
    return dialog;
  }

  function textField(label, value = "", attrs = {}) {
    const id = newId("champ-dialogue");
    const input = el("input", { id, type: "text", value, autocomplete: "off", ...attrs });
    return { input, row: el("p", {}, el("label", { for: id }, label), el("br"), input) };
  }

  const selected = () => area.value.slice(area.selectionStart, area.selectionEnd);

  function pageLinkDialog() {
    const label = selected().trim();
    const title = textField(T.pageTitleLabel, "", { required: true });
    const shown = textField(T.pageTextLabel, label);
    const combo = comboBox(title.input);
    title.row.append(combo.list, combo.status);
    openDialog(T.pageDialogTitle, [title, shown], ([name, text], [s, e]) => {
      if (!name) return;
      const link = text && text !== name ? `[[${name}|${text}]]` : `[[${name}]]`;
      replaceRange(s, e, link);
    });
  }

  function siteLinkDialog() {
    const label = selected().trim();
    const url = textField(T.siteUrlLabel, "https://", { type: "url", required: true });
    const shown = textField(T.siteTextLabel, label);
    openDialog(T.siteDialogTitle, [url, shown], ([address, text], [s, e]) => {
      if (!address || address === "https://") return;
      const href = /^[a-z][a-z0-9+.-]*:/i.test(address) ? address : `https://${address}`;
      replaceRange(s, e, `[${text || href}](${href})`);
    });
  }

  function imageDialog() {
    const name = textField(T.imageNameLabel, "", { required: true, placeholder: T.sampleImage });
    const caption = textField(T.imageCaptionLabel, selected().trim());
    const upload = form.dataset.uploadUrl
      ? el("p", {}, el("a", { href: form.dataset.uploadUrl, target: "_blank", rel: "noopener" }, T.uploadLink))
      : null;
    openDialog(T.imageDialogTitle, [name, caption], ([file, text], [s, e]) => {
      if (!file) return;
      const bare = file.replace(/^(Fichier|File|Image):/i, "");
      replaceRange(s, e, `[[Fichier:${bare}|vignette|${text || T.sampleCaption}]]`);
    }, upload);
  }

  // the title field's suggestions: an ARIA 1.2 combobox over a listbox
  function comboBox(input) {
    const listId = newId("suggestions");
    const list = el("ul", { id: listId, role: "listbox", class: "editor-suggestions", hidden: true });
    const status = el("p", { class: "visually-hidden", role: "status" });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    let options = [];
    let active = -1;
    let timer = 0;
    let asked = 0;
    const show = (index) => {
      active = index;
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    };
    const closeList = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      show(-1);
    };
    const choose = (index) => {
      input.value = options[index].textContent;
      closeList();
    };
    const fill = (titles) => {
      list.replaceChildren();
      options = titles.map((name, i) => {
        const option = el("li", { id: `${listId}-${i}`, role: "option", "aria-selected": "false" }, name);
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
        option.addEventListener("click", () => choose(i));
        return option;
      });
      list.append(...options);
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", String(options.length > 0));
      show(-1);
      status.textContent = options.length ? fmt(T.suggestions, { n: options.length }) : T.noSuggestion;
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const prefix = input.value.trim();
      if (!prefix) return fill([]);
      timer = setTimeout(async () => {
        const ticket = ++asked;
        try {
          const url = `${form.dataset.suggestUrl}?q=${encodeURIComponent(prefix)}`;
          const answer = await fetch(url, { credentials: "same-origin" });
          const data = await answer.json();
          if (ticket === asked) fill(Array.isArray(data.titles) ? data.titles : []);
        } catch (err) {
          if (ticket === asked) fill([]);
        }
      }, 200);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) return;
        event.preventDefault();
        if (list.hidden) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        show((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault(); // closes the list, not the dialog
        event.stopPropagation();
        closeList();
      }
    });
    input.addEventListener("blur", () => setTimeout(closeList, 150));
    return { list, status };
  }

  /* -- toolbar -- */

  const actions = {
    bold: () => wrap("**", "**", T.sampleBold),
    italic: () => wrap("*", "*", T.sampleItalic),
    heading: () => prefixLines("## ", T.sampleHeading),
    list: () => prefixLines("- ", T.sampleItem),
    pageLink: pageLinkDialog,
    siteLink: siteLinkDialog,
    image: imageDialog,
    table: insertTable,
  };
  const helpId = newId("raccourcis");
  const toolbar = el("div", { role: "toolbar", "aria-label": T.toolbar, "aria-controls": area.id, class: "editor-toolbar" });
  const tools = Object.keys(actions).map((name, i) =>
    el("button", { type: "button", class: `editor-tool editor-tool-${name}`, "data-action": name, tabindex: i ? "-1" : "0" }, T[name])
  );
  toolbar.append(...tools);
  toolbar.addEventListener("click", (event) => {
    const tool = event.target.closest("button[data-action]");
    if (tool) actions[tool.dataset.action]();
  });
  // one tab stop; the arrows, Home and End move between the buttons (roving tabindex)
  toolbar.addEventListener("keydown", (event) => {
    const index = tools.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tools.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = (moves[event.key] + tools.length) % tools.length;
    tools[index].tabIndex = -1;
    tools[next].tabIndex = 0;
    tools[next].focus();
  });
  const help = el("p", { id: helpId, class: "hint editor-shortcuts" }, T.shortcuts);
  const textPara = area.closest("p") || area;
  textPara.before(toolbar);
  textPara.after(help);
  area.setAttribute("aria-describedby", `${helpId} ${area.getAttribute("aria-describedby") || ""}`.trim());

  // sentences about what just happened (a paste converted, a draft resumed), with an undo
  const status = el("div", { class: "editor-status", role: "status" });
  help.after(status);
  function say(sentence, undoLabel, undo) {
    status.replaceChildren(el("span", {}, sentence));
    if (undoLabel) {
      status.append(" ", el("button", { type: "button", class: "link-button", onclick: () => { undo(); } }, undoLabel));
    }
  }

  /* -- shortcuts -- */

  const saveButton = button("save");
  const previewButton = button("preview");
  const convertButton = button("convert");
  const submitWith = (submitter) => {
    if (submitting) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit(submitter);
    else submitter.click();
  };
  form.addEventListener("keydown", (event) => {
    const mod = (event.ctrlKey || event.metaKey) && !event.altKey;
    const key = event.key.toLowerCase();
    if (mod && key === "s" && saveButton) {
      event.preventDefault();
      submitWith(saveButton);
    } else if (event.altKey && event.shiftKey && (key === "p" || event.code === "KeyP") && previewButton) {
      event.preventDefault();
      submitWith(previewButton);
    } else if (mod && event.target === area && !event.shiftKey) {
      const action = { b: "bold", i: "italic", k: "pageLink" }[key];
      if (action) {
        event.preventDefault();
        actions[action]();
      }
    }
  });

  /* -- unsaved changes and drafts -- */

  let dirty = false;
  let submitting = false;
  window.addEventListener("beforeunload", (event) => {
    if (!dirty || submitting) return;
    event.preventDefault();
    event.returnValue = T.leaveWarning; // older browsers show their own sentence anyway
  });

  const draftKey = `wikicoop.draft:${form.dataset.title}@${form.dataset.base || "new"}`;
  const MARK = "wikicoop.editor.submitted";
  const MONTH = 30 * 24 * 3600 * 1000;
  const readDraft = (key) => {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (err) {
      return null;
    }
  };
  const writeDraft = () => {
    if (!store) return;
    try {
      store.setItem(draftKey, JSON.stringify({ text: area.value, at: Date.now() }));
    } catch (err) {
      /* storage full: the page still saves */
    }
  };
  let draftTimer = 0;
  form.addEventListener("input", (event) => {
    if (!event.target.name) return; // the editor's own controls (the live toggle)
    dirty = true;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(writeDraft, 400);
  });

  if (store) {
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key && key.startsWith("wikicoop.draft:") && !((readDraft(key) || {}).at > Date.now() - MONTH)) {
        store.removeItem(key);
      }
    }
    // the last form sent from this tab: saved, unless it came back (an error, a preview)
    let sent = null;
    try {
      sent = sessionStorage.getItem(MARK);
      sessionStorage.removeItem(MARK);
    } catch (err) {
      sent = null;
    }
    if (sent && !form.dataset.returned) store.removeItem(sent);
    if (form.dataset.returned) {
      writeDraft(); // the text sent, kept until it is saved
    } else {
      const draft = readDraft(draftKey);
      if (draft && typeof draft.text === "string" && draft.text.trim()) {
        if (draft.text.trim() === area.value.trim()) store.removeItem(draftKey);
        else offerDraft(draft.text);
      }
    }
  }

  function offerDraft(text) {
    const box = el("div", { class: "banner banner-warning editor-draft", role: "region", "aria-label": T.draftResume });
    const resume = el("button", { type: "button", class: "button primary" }, T.draftResume);
    const ignore = el("button", { type: "button", class: "button" }, T.draftIgnore);
    box.append(el("p", {}, T.draftFound), el("p", {}, resume, " ", ignore));
    resume.addEventListener("click", () => {
      box.remove();
      replaceRange(0, area.value.length, text);
      dirty = true;
      say(T.draftResumed);
    });
    ignore.addEventListener("click", () => {
      box.remove();
      store.removeItem(draftKey);
      area.focus();
    });
    toolbar.before(box);
  }

  /* -- double submit -- */

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitting) {
      event.preventDefault(); // a second click: the first one is on its way
      return;
    }
    submitting = true;
    dirty = false;
    try {
      sessionStorage.setItem(MARK, draftKey);
    } catch (err) {
      /* no session storage: the draft stays until it expires */
    }
    if (submitter && submitter === saveButton) {
      // after this turn, once the browser has read the form (a disabled button is not sent)
      setTimeout(() => {
        saveButton.disabled = true;
        saveButton.value = T.saving;
        saveButton.classList.add("is-saving");
      }, 0);
    }
  });
  // back to the form from the next page (the browser's cache): usable again
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted || !saveButton) return;
    submitting = false;
    saveButton.disabled = false;
    saveButton.value = saveButton.defaultValue;
    saveButton.classList.remove("is-saving");
  });

  /* -- live preview -- */

  const LIVE = "wikicoop.editor.livePreview";
  const toggleId = newId("apercu-direct-choix");
  const toggle = el("input", { type: "checkbox", id: toggleId, "aria-controls": "apercu-direct" });
  toggle.checked = !!store && store.getItem(LIVE) === "1";
  help.after(el("p", { class: "editor-live-toggle" }, toggle, " ", el("label", { for: toggleId }, T.livePreview)));
  const liveTitleId = newId("apercu-direct-titre");
  const liveState = el("p", { class: "editor-live-state" });
  const liveNotices = el("div", { class: "editor-live-notices" });
  const liveBody = el("div", { class: "editor-live-body" });
  const live = el(
    "section",
    { id: "apercu-direct", class: "preview live-preview", "aria-live": "polite", "aria-labelledby": liveTitleId, hidden: !toggle.checked },
    el("h2", { id: liveTitleId }, T.livePreviewTitle),
    liveState,
    liveNotices,
    liveBody
  );
  status.after(live);

  const typedFields = () => {
    const type = form.querySelector("input[name=page_type]");
    if (!type || !type.value) return {};
    const values = {};
    for (const input of form.elements) {
      if (!input.name || !input.name.startsWith("field.")) continue;
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) continue;
      // ticked boxes go as lists (a choice of several), like the form sends them
      if (input.type === "checkbox") (values[input.name] = values[input.name] || []).push(input.value);
      else values[input.name] = input.value;
    }
    return { type: type.value, form_fields: values };
  };

  let previewTimer = 0;
  let previewTicket = 0;
  let previewAbort = null;
  async function askPreview(silent = false) {
    const ticket = ++previewTicket;
    if (previewAbort) previewAbort.abort();
    previewAbort = "AbortController" in window ? new AbortController() : null;
    if (!silent) {
      live.setAttribute("aria-busy", "true");
      liveState.textContent = T.previewWaiting;
    }
    let reply;
    try {
      const body = { text: area.value, title: form.dataset.title, ...typedFields() };
      const answer = await postJSON(form.dataset.previewUrl, body, previewAbort);
      let data = {};
      try {
        data = await answer.json();
      } catch (err) {
        data = {};
      }
      reply = { ok: answer.ok, status: answer.status, data };
    } catch (err) {
      if (err && err.name === "AbortError") return null;
      reply = { ok: false, status: 0, data: {} };
    }
    if (ticket !== previewTicket) return null; // a newer one is on its way
    showHabits(reply.ok ? reply.data.habits : null);
    if (silent) return reply;
    live.removeAttribute("aria-busy");
    if (!reply.ok) {
      const reason = reply.data.error;
      liveState.textContent =
        reply.status === 401 ? T.sessionExpired : reason ? fmt(T.previewFailed, { reason }) : T.previewOffline;
      liveState.classList.add("is-error");
      return reply;
    }
    liveState.classList.remove("is-error");
    const { html, infobox, notices } = reply.data;
    liveState.textContent = html || infobox ? "" : T.previewEmpty;
    liveNotices.replaceChildren();
    if (notices && notices.length) {
      liveNotices.append(
        el("div", { class: "banner banner-warning" }, el("strong", {}, T.notices), el("ul", {}, ...notices.map((n) => el("li", {}, n))))
      );
    }
    // sanitized by the server's pipeline, the same HTML as the saved page
    liveBody.innerHTML = `${infobox || ""}<div class="page-content">${html || ""}</div>`;
    return reply;
  }
  const schedulePreview = () => {
    if (!toggle.checked) return;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => askPreview(), 600);
  };
  form.addEventListener("input", (event) => {
    if (event.target.name) schedulePreview();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name) schedulePreview();
  });
  toggle.addEventListener("change", () => {
    if (store) store.setItem(LIVE, toggle.checked ? "1" : "0");
    live.hidden = !toggle.checked;
    if (toggle.checked) askPreview();
    else clearTimeout(previewTimer);
  });
  if (toggle.checked) askPreview();

  /* -- sizes and MediaWiki -- */

  const sizeNote = el("p", { class: "banner banner-error editor-size", role: "alert", hidden: true });
  live.before(sizeNote);
  const encoder = "TextEncoder" in window ? new TextEncoder() : null;
  let sizeTimer = 0;
  area.addEventListener("input", () => {
    clearTimeout(sizeTimer);
    sizeTimer = setTimeout(() => {
      const size = encoder ? encoder.encode(area.value).length : area.value.length;
      const over = size > T.maxBytes;
      sizeNote.hidden = !over;
      if (over) sizeNote.textContent = fmt(T.tooBig, { size, max: T.maxBytes });
    }, 500);
  });

  function showHabits(habits) {
    if (offer && Array.isArray(habits) && habits.length) offer.hidden = false;
  }
  let convertByServer = false;
  if (convertButton && form.dataset.convertUrl) {
    convertButton.addEventListener("click", async (event) => {
      if (convertByServer) return; // the form's own way (the server converts)
      event.preventDefault();
      const before = area.value;
      try {
        const answer = await postJSON(form.dataset.convertUrl, { text: before });
        const data = await answer.json().catch(() => ({}));
        if (!answer.ok || typeof data.text !== "string") {
          if (answer.status === 404 || answer.status === 405) throw new Error("no api");
          say(fmt(T.convertFailed, { reason: data.error || answer.status }));
          return;
        }
        replaceRange(0, area.value.length, data.text);
        dirty = true;
        say(T.convertDone, T.convertUndo, () => {
          replaceRange(0, area.value.length, before);
          status.replaceChildren();
        });
      } catch (err) {
        convertByServer = true; // no API here: let the form ask the server
        submitWith(convertButton);
      }
    });
  }

  /* -- rich text paste -- */

  function htmlToWiki(html) {
    const doc = new DOMParser().parseFromString(html, "text/html"); // inert: runs nothing
    let changed = false;
    const inline = (node) => {
      let out = "";
      for (const child of node.childNodes) out += convert(child, 0);
      return out;
    };
    const clean = (text) => text.replace(/\s+/g, " ");
    const marks = (mark, node) => {
      const inner = inline(node);
      if (!inner.trim()) return inner;
      changed = true;
      const lead = inner.match(/^\s*/)[0];
      const tail = inner.match(/\s*$/)[0];
      return `${lead}${mark}${inner.trim()}${mark}${tail}`;
    };
    const list = (node, depth) => {
      let index = 0;
      let out = "";
      for (const item of node.children) {
        if (item.tagName !== "LI") continue;
        index += 1;
        const bullet = node.tagName === "OL" ? `${index}. ` : "- ";
        let own = "";
        let nested = "";
        for (const child of item.childNodes) {
          if (child.tagName === "UL" || child.tagName === "OL") nested += list(child, depth + 1);
          else own += convert(child, depth);
        }
        out += `${"  ".repeat(depth)}${bullet}${own.trim().replace(/\n+/g, " ")}\n${nested}`;
      }
      changed = true;
      return out;
    };
    const convert = (node, depth) => {
      if (node.nodeType === Node.TEXT_NODE) return clean(node.textContent);
      if (node.nodeType !== Node.ELEMENT_NODE) return "";
      const tag = node.tagName;
      const weight = (node.getAttribute("style") || "").match(/font-weight:\s*(bold|[6-9]00)/);
      const slant = /font-style:\s*italic/.test(node.getAttribute("style") || "");
      if (tag === "SCRIPT" || tag === "STYLE" || tag === "TEMPLATE" || tag === "HEAD") return "";
      if (tag === "BR") return "\n";
      if (tag === "B" || tag === "STRONG" || (tag === "SPAN" && weight)) {
        if (tag === "B" && /font-weight:\s*normal/.test(node.getAttribute("style") || "")) return inline(node); // Google Docs' wrapper
        return marks("**", node);
      }
      if (tag === "I" || tag === "EM" || (tag === "SPAN" && slant)) return marks("*", node);
      if (tag === "A") {
        const href = node.getAttribute("href") || "";
        const text = inline(node).trim();
        if (/^https?:\/\//i.test(href) && text) {
          changed = true;
          return text === href ? href : `[${text}](${href})`;
        }
        return inline(node);
      }
      const heading = /^H([1-6])$/.exec(tag);
      if (heading) {
        changed = true;
        const level = Math.min(Math.max(Number(heading[1]), 2), 4);
        return `\n\n${"#".repeat(level)} ${inline(node).trim()}\n\n`;
      }
      if (tag === "UL" || tag === "OL") return `\n\n${list(node, depth)}\n`;
      if (tag === "P" || tag === "DIV" || tag === "BLOCKQUOTE" || tag === "SECTION" || tag === "ARTICLE" || tag === "TR") {
        return `\n\n${inline(node).trim()}\n\n`;
      }
      if (tag === "TD" || tag === "TH") return `${inline(node).trim()} `;
      return inline(node);
    };
    const text = convert(doc.body, 0)
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
    return { text, changed };
  }

  area.addEventListener("paste", (event) => {
    const data = event.clipboardData;
    if (!data) return;
    const html = data.getData("text/html");
    const plain = data.getData("text/plain");
    if (!html) {
      // plain text: the browser pastes it; then, is it MediaWiki's syntax?
      if (!toggle.checked && offer && offer.hidden) setTimeout(() => askPreview(true), 0);
      return;
    }
    let result;
    try {
      result = htmlToWiki(html);
    } catch (err) {
      return; // never lose text: the browser's own paste
    }
    const words = (s) => s.replace(/[\s*#\-[\]()|0-9.]+/g, "");
    // nothing to convert, or the conversion lost words: the plain text instead
    if (!result.changed || !result.text || (plain && words(result.text).length < words(plain).length * 0.9)) return;
    event.preventDefault();
    const start = area.selectionStart;
    replaceRange(start, area.selectionEnd, result.text);
    const inserted = result.text;
    say(T.pasteConverted, T.pasteUndo, () => {
      if (area.value.slice(start, start + inserted.length) === inserted) {
        replaceRange(start, start + inserted.length, plain || inserted);
      }
      say(T.pasteUndone);
    });
    // MediaWiki habits often come pasted: the preview says whether to offer the conversion
    if (toggle.checked) schedulePreview();
    else if (offer && offer.hidden) askPreview(true);
  });
})();
