// Checks a rendered tdmr picture in the browser that drew it, and writes what it found into a
// pre element with the id picture-check, one finding per line, for PictureGeometryTest to read:
//   OVERLAP  two labels (SVG <text>) whose drawn boxes overlap
//   CLIPPED  a drawn element that reaches outside the picture's own area
//   HOVER    a reserved area or PAMT that the pointer cannot reach (another shape is on top of it)
//   FOCUS    a reserved area or PAMT whose keyboard focus does not show its own detail
//   CHECKED  the number of labels, elements and pointable shapes looked at (always last)
// Boxes are the elements' own boxes (getBBox) turned by their transforms (getCTM), so labels
// written at 45 degrees are compared as the slanted rectangles they are.
//
// The checks wait until the page has the browser's focus. Chromium dispatches focus events only to
// a document that has focus (a person tabbing through the picture always has the window focused),
// and headless Chromium gives a new page focus at some moment of its own, under load sometimes
// after this script has run. Until then the pre says WAITING.
(function () {
  var pre = document.createElement('pre');
  pre.id = 'picture-check';
  pre.textContent = 'WAITING\tfor the page to get focus from the browser; nothing was checked';
  document.body.appendChild(pre);
  if (document.hasFocus()) {
    check();
  } else {
    window.addEventListener('focus', check, {once: true});
  }

  function check() {
    var out = [];
    var svg = document.querySelector('svg.tdmr-picture');
    var width = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height;

    function quad(el) {
      var b = el.getBBox(), m = el.getCTM();
      return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
        .map(function (p) { var q = svg.createSVGPoint(); q.x = p[0]; q.y = p[1]; q = q.matrixTransform(m); return [q.x, q.y]; });
    }
    function project(q, ax) {
      var lo = Infinity, hi = -Infinity;
      q.forEach(function (p) { var d = p[0] * ax[0] + p[1] * ax[1]; lo = Math.min(lo, d); hi = Math.max(hi, d); });
      return [lo, hi];
    }
    // Separating axes of two convex quadrilaterals: they overlap by more than 0.5 px on every edge normal.
    function overlap(a, b) {
      var quads = [a, b];
      for (var k = 0; k < 2; k++) {
        var q = quads[k];
        for (var i = 0; i < 4; i++) {
          var p = q[i], n = q[(i + 1) % 4];
          var ex = n[0] - p[0], ey = n[1] - p[1], len = Math.hypot(ex, ey);
          if (len === 0) continue;
          var ax = [-ey / len, ex / len];
          var pa = project(a, ax), pb = project(b, ax);
          if (Math.min(pa[1], pb[1]) - Math.max(pa[0], pb[0]) <= 0.5) return false;
        }
      }
      return true;
    }
    function name(el) {
      return el.tagName + '.' + (el.getAttribute('class') || '') + ' "' + (el.getAttribute('data-detail') || el.textContent).slice(0, 90) + '"';
    }

    var texts = Array.prototype.slice.call(svg.querySelectorAll('text')).filter(function (t) { return t.textContent.length > 0; });
    var textQuads = texts.map(quad);
    for (var i = 0; i < texts.length; i++) {
      for (var j = i + 1; j < texts.length; j++) {
        if (overlap(textQuads[i], textQuads[j])) out.push('OVERLAP\t' + name(texts[i]) + '\t' + name(texts[j]));
      }
    }

    var drawn = Array.prototype.slice.call(svg.querySelectorAll('rect, text, line, polygon'));
    drawn.forEach(function (el) {
      quad(el).forEach(function (p) {
        if (p[0] < -0.5 || p[1] < -0.5 || p[0] > width + 0.5 || p[1] > height + 0.5) {
          out.push('CLIPPED\t' + name(el) + '\tat ' + p[0].toFixed(1) + ',' + p[1].toFixed(1) + ' outside ' + width + 'x' + height);
        }
      });
    });

    var detail = document.getElementById('detail');
    var pointable = Array.prototype.slice.call(svg.querySelectorAll('rect.reserved[data-detail], rect.pamt[data-detail]'));
    pointable.forEach(function (el) {
      el.scrollIntoView({block: 'center', inline: 'center'});
      var r = el.getBoundingClientRect(), reached = false;
      for (var f = 0.1; f < 1 && !reached; f += 0.2) {
        reached = document.elementFromPoint(r.left + f * r.width, r.top + r.height / 2) === el;
      }
      if (!reached) out.push('HOVER\t' + name(el));
      if (detail) {
        el.focus();
        if (document.activeElement !== el || detail.textContent !== el.getAttribute('data-detail')) out.push('FOCUS\t' + name(el));
      }
    });

    out.push('CHECKED\t' + texts.length + ' labels\t' + drawn.length + ' elements\t' + pointable.length + ' pointable');
    pre.textContent = out.join('\n');
  }
})();
