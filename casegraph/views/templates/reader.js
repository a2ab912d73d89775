"use strict";
(function () {
  var cited = document.getElementById("cited");
  if (cited) { cited.scrollIntoView({ block: "center" }); }
})();
