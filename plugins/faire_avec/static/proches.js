// "Près de chez moi": a button that fills the form with the browser's location and
// sends it. Without this script (or without permission) the form works as typed.
(function () {
  "use strict";
  var form = document.querySelector("form.faire-avec-near");
  if (!form || !("geolocation" in navigator)) {
    return;
  }
  var slot = form.querySelector(".faire-avec-locate");
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = form.getAttribute("data-locate-label");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
      form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
      form.querySelector("[name=quartier]").value = "";
      form.submit();
    });
  });
  slot.appendChild(button);
})();
