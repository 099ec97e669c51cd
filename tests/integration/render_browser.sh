#!/usr/bin/env bash
# Flame graph viewer in a real browser: headless Chromium (Debian's) loads the SVG inside
# an HTML page generated here; the page's script clicks a frame, runs a search through
# the SVG's own Search button (window.prompt answered by the test) and Ctrl-F, and writes
# what the SVG reports into the DOM, which --dump-dom prints. A screenshot shows the
# zoomed, highlighted state (kept in $RENDER_SHOTS if set, for a human to look at).
. "$(dirname "$0")/lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || skip "needs chromium (Debian package chromium; scripts/deps.sh installs it)"

# total 100: target frames cover 25 + 25; beta is 55 wide, of which target is 25
cat > "$TMP/in.folded" <<'IN'
main;alpha;target 25
main;beta;target 25
main;beta;other 30
idle 20
IN
"$WS" flamegraph --title "browser test" "$TMP/in.folded" -o "$TMP/graph.svg" || fail "flamegraph failed"
"$WS" flamegraph --inverted "$TMP/in.folded" -o "$TMP/icicle.svg" || fail "flamegraph --inverted failed"
xmllint --noout "$TMP/graph.svg" "$TMP/icicle.svg" || fail "SVG is not well-formed"

cat > "$TMP/page.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>flamegraph test</title></head>
<body style="margin:0">
<iframe id="zoomed" src="graph.svg" width="1210" height="170" style="border:0"></iframe>
<iframe id="full" src="graph.svg" width="1210" height="170" style="border:0"></iframe>
<iframe id="icicle" src="icicle.svg" width="1210" height="170" style="border:0"></iframe>
<pre id="result">pending</pre>
<script>
var results = {}, pending = 3;
function frame(d, name) {
  var gs = d.querySelectorAll("#frames > g");
  for (var i = 0; i < gs.length; i++)
    if (gs[i].querySelector("title").textContent.indexOf(name + " (") === 0)
      return gs[i];
  return null;
}
function click(el) { el.dispatchEvent(new MouseEvent("click", {bubbles: true})); }
function done() {
  if (--pending) return;
  var keys = Object.keys(results).sort(), s = "";
  for (var i = 0; i < keys.length; i++) s += keys[i] + "=" + results[keys[i]] + "\n";
  document.getElementById("result").textContent = s;
}
function run(id, fn) {
  document.getElementById(id).addEventListener("load", function () {
    try { fn(this.contentWindow, this.contentDocument); }
    catch (e) { results[id + "_error"] = String(e); }
    done();
  });
}
run("zoomed", function (w, d) {
  var beta = frame(d, "beta");
  click(beta.querySelector("rect"));            /* a real click event on the frame */
  results.zoom_width = beta.querySelector("rect").getAttribute("width");
  results.zoom_alpha_hidden = frame(d, "alpha").classList.contains("hide");
  results.zoom_main_parent = frame(d, "main").classList.contains("parent");
  results.zoom_unzoom_shown = !d.getElementById("unzoom").classList.contains("hide");
  w.prompt = function () { return "target"; };
  click(d.getElementById("search"));            /* the Search button asks for a term */
  results.zoom_matched = d.getElementById("matched").textContent;
  var hits = d.querySelectorAll("#frames > g.match").length;
  results.zoom_match_frames = hits;
});
run("full", function (w, d) {
  var asked = 0;
  w.prompt = function () { asked++; return "target"; };
  w.dispatchEvent(new KeyboardEvent("keydown", {key: "f", ctrlKey: true, bubbles: true}));
  results.full_ctrl_f_prompted = asked;
  results.full_matched = d.getElementById("matched").textContent;
  results.full_fill = frame(d, "target").querySelector("rect").getAttribute("fill");
  click(frame(d, "beta").querySelector("rect"));
  click(d.getElementById("unzoom"));            /* reset zoom: the search stays */
  results.full_after_reset = d.getElementById("matched").textContent;
  results.full_beta_width = frame(d, "beta").querySelector("rect").getAttribute("width");
});
run("icicle", function (w, d) {                 /* roots at the top: ancestors above */
  click(frame(d, "alpha").querySelector("rect"));
  results.icicle_alpha_width = frame(d, "alpha").querySelector("rect").getAttribute("width");
  results.icicle_main_parent = frame(d, "main").classList.contains("parent");
  results.icicle_beta_hidden = frame(d, "beta").classList.contains("hide");
  results.icicle_target_shown = !frame(d, "target").classList.contains("hide");
});
</script>
</body></html>
HTML

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --allow-file-access-from-files --virtual-time-budget=5000)
profile=$(mktemp -d); on_exit "rm -rf $profile"
# --dump-dom prints the page when its virtual time runs out; once in a loaded full run
# that came before the three frames had loaded ("pending", nothing tested): load again
for try in 1 2 3; do
  dom=$(timeout 90 "$browser" "${flags[@]}" --user-data-dir="$profile" --dump-dom "file://$TMP/page.html" 2>"$TMP/chromium.log") ||
    fail "chromium failed: $(tail -5 "$TMP/chromium.log")"
  result=$(sed -n '/<pre id="result">/,/<\/pre>/p' <<<"$dom" | sed 's/<[^>]*>//g')
  grep -q '^zoom_width=' <<<"$result" && break
  note "try $try: the frames had not loaded when chromium printed the page"
done
note "page reported:"; echo "$result" | sed 's/^/#   /'
get() { sed -n "s/^$1=//p" <<<"$result"; }
[ -z "$(get zoomed_error)$(get full_error)$(get icicle_error)" ] ||
  fail "script error: $(get zoomed_error) $(get full_error) $(get icicle_error)"
assert_eq "$(get zoom_width)" "1180.00" "zoomed frame width (px)"
assert_eq "$(get zoom_alpha_hidden)" "true" "sibling of the zoomed frame hidden"
assert_eq "$(get zoom_main_parent)" "true" "ancestor shown faded"
assert_eq "$(get zoom_unzoom_shown)" "true" "Reset Zoom shown"
assert_eq "$(get zoom_matched)" "Matched: 45.5%" "match share within the zoomed frame (25/55)"
assert_eq "$(get zoom_match_frames)" "2" "highlighted frames"
assert_eq "$(get full_ctrl_f_prompted)" "1" "Ctrl-F opens the search"
assert_eq "$(get full_matched)" "Matched: 50.0%" "match share of the whole graph (50/100)"
assert_eq "$(get full_fill)" "rgb(230,0,230)" "highlight colour"
assert_eq "$(get full_after_reset)" "Matched: 50.0%" "match share after Reset Zoom"
assert_eq "$(get full_beta_width)" "649.00" "frame width restored after Reset Zoom"
assert_eq "$(get icicle_alpha_width)" "1180.00" "icicle: zoomed frame width (px)"
assert_eq "$(get icicle_main_parent)" "true" "icicle: ancestor (above) shown faded"
assert_eq "$(get icicle_beta_hidden)" "true" "icicle: sibling hidden"
assert_eq "$(get icicle_target_shown)" "true" "icicle: child (below) shown"

shots=${RENDER_SHOTS:-$TMP}
mkdir -p "$shots"
profile2=$(mktemp -d); on_exit "rm -rf $profile2"
timeout 90 "$browser" "${flags[@]}" --user-data-dir="$profile2" --window-size=1220,560 \
  --screenshot="$shots/render_browser.png" "file://$TMP/page.html" >/dev/null 2>&1 ||
  fail "chromium screenshot failed"
[ -s "$shots/render_browser.png" ] || fail "no screenshot"
note "screenshot: $shots/render_browser.png"
