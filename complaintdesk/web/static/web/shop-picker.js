// The shop field's suggestions (web/_shop_picker.html): as a name is typed, the first shops of the directory
// whose name holds it fill the field's <datalist>, which the browser offers under the text box (a native
// control: keyboard and screen readers work as with any suggestion list). The page works without this: the
// server finds the shop by the name typed, and offers a choice when several fit.
(function () {
  "use strict";
  var SHOWN = 8;
  var WAIT_MS = 250;

  function suggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var asked = "";
    var timer = null;
    var pending = null;

    function show(shops) {
      list.replaceChildren.apply(list, shops.slice(0, SHOWN).map(function (shop) {
        var option = document.createElement("option");
        option.value = shop.name;
        if (shop.shop_url) option.label = shop.shop_url;  // tells apart two shops of one name
        return option;
      }));
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (pending) pending.abort();
      if (!text) { show([]); return; }
      pending = new AbortController();
      var url = input.dataset.shopSearch + "?page_size=" + SHOWN + "&q=" + encodeURIComponent(text);
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || input.value.trim() !== text) return;
          show(Array.isArray(answer) ? answer : answer.items || []);
        })
        .catch(function () {});  // no suggestions: the server still finds the shop by the name typed
    }

    input.addEventListener("input", function () {
      // A name typed anew means the shop it names, not one chosen before (a link's, kept in a hidden input).
      var chosen = input.form && input.form.querySelector(
        'input[type="hidden"][name="' + input.dataset.shopField + '"]');
      if (chosen) chosen.remove();
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
  }

  document.querySelectorAll("input[data-shop-search][list]").forEach(suggestions);
})();
