"use strict";
// The PosterGenre upload page: no build step, no framework. It talks only to the public API.
(() => {
  const $ = (id) => document.getElementById(id);
  const drop = $("drop"), input = $("files"), picker = $("model"), results = $("results"), status = $("status");
  const template = $("card"), keyInput = $("api-key");
  let models = [];
  let catalogue = null; // GET /api/v1/catalogue when the service has one: then each result shows posters like it
  keyInput.value = sessionStorage.getItem("postergenre-api-key") || "";
  keyInput.addEventListener("change", () => sessionStorage.setItem("postergenre-api-key", keyInput.value.trim()));

  // The API key's header when one is entered (PosterGenre:Auth).
  function keyHeaders() { return keyInput.value.trim() ? { "X-Api-Key": keyInput.value.trim() } : {}; }

  // A prediction request.
  function predict(query, form) {
    return fetch(`/api/v1/predictions?${query}`, { method: "POST", body: form, headers: keyHeaders() });
  }

  async function loadCatalogue() {
    const response = await fetch("/api/v1/catalogue", { headers: keyHeaders() }).catch(() => null);
    catalogue = response && response.ok ? await response.json() : null;
  }

  // Under a result: the catalogue's posters nearest to it, as thumbnails (fetched with the key, since a catalogue may be private).
  async function similar(card, file) {
    const section = card.querySelector(".similar");
    section.hidden = false;
    const text = section.querySelector(".similar-text");
    text.textContent = "Looking in the catalogue…";
    try {
      const form = new FormData();
      form.append("poster", file, file.name);
      const response = await fetch("/api/v1/similar?k=6", { method: "POST", body: form, headers: keyHeaders() });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail || `the server answered ${response.status}`);
      const list = section.querySelector(".neighbours");
      for (const n of body.neighbours) {
        const li = document.createElement("li");
        const img = document.createElement("img");
        const label = `${n.title || n.id}: similarity ${n.score.toFixed(2)}; ${(n.genres || n.predicted).join(", ")}`;
        img.alt = label;
        img.title = label;
        li.append(img);
        list.append(li);
        fetch(n.thumbnail, { headers: keyHeaders() }).then((r) => (r.ok ? r.blob() : null)).then((b) => { if (b) img.src = URL.createObjectURL(b); });
      }
      text.textContent = body.neighbours.length ? `Nearest of ${catalogue.posters} catalogue posters, most alike first.` : "The catalogue is empty.";
    } catch (e) {
      text.textContent = `Could not search the catalogue: ${e.message}`;
    }
  }

  async function loadModels() {
    try {
      const response = await fetch("/api/v1/models");
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      models = await response.json();
      picker.innerHTML = "";
      for (const m of models) {
        const option = new Option(`${m.name} ${m.version}${m.isDefault ? " (default)" : ""}`, m.name, m.isDefault, m.isDefault);
        picker.add(option);
      }
      describeModel();
    } catch (e) {
      status.textContent = `Could not load the model list: ${e.message}`;
    }
  }

  function describeModel() {
    const m = models.find((x) => x.name === picker.value);
    if (!m) return;
    const auc = m.testMetrics && m.testMetrics.macroRocAuc;
    const info = $("model-info");
    info.textContent = `${m.architecture}${m.weights === "int8" ? " (int8)" : ""}, ${m.input.width}x${m.input.height} input` + (auc ? `, test macro ROC-AUC ${auc.toFixed(3)}` : "")
      + (m.calibrated ? ", calibrated percentages" : "");
    info.title = m.calibrated
      ? "Of the posters this model gives a genre 30%, about 30% have it (measured on test posters)."
      : "This model was not calibrated after training: read its percentages as a ranking first.";
  }

  function percent(p) { return `${(p * 100).toFixed(1)}%`; }

  function bar(genre, probability, hit) {
    const li = document.createElement("li");
    li.className = "bar" + (hit ? " hit" : "");
    li.innerHTML = `<span class="label"></span><span class="track"><span class="fill"></span></span><span class="value"></span>`;
    li.querySelector(".label").textContent = genre;
    li.querySelector(".fill").style.width = percent(probability);
    li.querySelector(".value").textContent = percent(probability);
    li.title = `${genre}: ${percent(probability)}${hit ? " (predicted)" : ""}`;
    li.dataset.genre = genre;
    return li;
  }

  // Paints one genre's occlusion map over the poster: red where covering the poster lowers the
  // genre's probability (the model found it there), blue where covering it raises it.
  function paint(card, explanation, genre) {
    const canvas = card.querySelector(".heat");
    canvas.width = explanation.columns;
    canvas.height = explanation.rows;
    const cells = explanation.genres[genre];
    const scale = Math.max(1e-6, ...cells.map(Math.abs));
    const image = canvas.getContext("2d").createImageData(explanation.columns, explanation.rows);
    cells.forEach((drop, i) => {
      const v = drop / scale;
      image.data.set(v >= 0 ? [220, 30, 30, Math.round(v * 190)] : [30, 90, 230, Math.round(-v * 190)], i * 4);
    });
    canvas.getContext("2d").putImageData(image, 0, 0);
    canvas.hidden = false;
    for (const li of card.querySelectorAll(".top3 .bar")) li.setAttribute("aria-pressed", String(li.dataset.genre === genre));
    card.querySelector(".where-text").textContent = `Where it sees ${genre}: red supports it, blue counts against it.`;
  }

  async function explain(card, file, model, result) {
    const button = card.querySelector(".explain");
    button.disabled = true;
    button.textContent = "Looking…";
    try {
      const form = new FormData();
      form.append("posters", file, file.name);
      const response = await predict(`explain=true&model=${encodeURIComponent(model)}`, form);
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail || `the server answered ${response.status}`);
      const explanation = body.results[0].explanation;
      const top = card.querySelector(".top3");
      top.classList.add("explained");
      for (const li of top.querySelectorAll(".bar")) li.addEventListener("click", () => paint(card, explanation, li.dataset.genre));
      paint(card, explanation, result.top3[0].genre);
      button.remove();
    } catch (e) {
      button.disabled = false;
      button.textContent = "Where does it see them?";
      card.querySelector(".where-text").textContent = `Could not explain: ${e.message}`;
    }
  }

  function render(file, result, model) {
    const card = template.content.firstElementChild.cloneNode(true);
    const img = card.querySelector(".poster");
    img.src = URL.createObjectURL(file);
    img.alt = `Poster ${result.fileName}`;
    card.querySelector(".name").textContent = result.fileName;
    if (result.error) {
      card.classList.add("error");
      const p = card.querySelector(".predicted");
      p.className = "error-text";
      p.textContent = `Not analysed: ${result.error.detail}`;
      card.querySelector("details").remove();
      card.querySelector(".top3").remove();
      card.querySelector(".where").remove();
      return card;
    }
    const predicted = new Set(result.predicted);
    const chips = card.querySelector(".predicted");
    chips.setAttribute("aria-label", "Predicted genres");
    for (const g of result.predicted) {
      const chip = document.createElement("span");
      chip.className = "chip";
      chip.textContent = g;
      chips.append(chip);
    }
    const top = card.querySelector(".top3");
    for (const t of result.top3) top.append(bar(t.genre, t.probability, predicted.has(t.genre)));
    const all = card.querySelector(".all");
    const sorted = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
    for (const [g, p] of sorted) all.append(bar(g, p, predicted.has(g)));
    card.querySelector(".meta").textContent = `${result.elapsedMs.toFixed(1)} ms`;
    card.querySelector(".explain").addEventListener("click", () => explain(card, file, model, result));
    if (catalogue) similar(card, file);
    return card;
  }

  function renderProblem(files, problem) {
    const byName = new Map((problem.results || []).map((r) => [r.fileName, r]));
    files.forEach((file) => {
      const result = byName.get(file.name) || { fileName: file.name, error: { detail: problem.detail || problem.title } };
      results.prepend(render(file, result));
    });
  }

  async function upload(fileList) {
    const files = Array.from(fileList);
    if (files.length === 0) return;
    const form = new FormData();
    for (const f of files) form.append("posters", f, f.name);
    status.textContent = `Analysing ${files.length} poster${files.length > 1 ? "s" : ""}…`;
    try {
      const model = picker.value;
      const response = await predict(`model=${encodeURIComponent(model)}`, form);
      if (response.status === 401) $("key-box").open = true;
      else if (!catalogue) await loadCatalogue(); // a key entered since the page loaded may open a private catalogue
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = body.detail || `The server answered ${response.status}.`;
        renderProblem(files, body);
        return;
      }
      body.results.slice().reverse().forEach((r, i) => results.prepend(render(files[files.length - 1 - i], r, model)));
      const failed = body.results.filter((r) => r.error).length;
      status.textContent = `${body.model.name} ${body.model.version}: ${body.results.length - failed} analysed` + (failed ? `, ${failed} not usable` : "") + ".";
    } catch (e) {
      status.textContent = `Upload failed: ${e.message}`;
    } finally {
      input.value = "";
    }
  }

  input.addEventListener("change", () => upload(input.files));
  picker.addEventListener("change", describeModel);
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => upload(e.dataTransfer.files));
  loadModels();
  loadCatalogue();
})();
