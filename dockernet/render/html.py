"""The scene as one self-contained HTML file (``.html``): the SVG that Graphviz drew, with the findings beside
it. Hovering or focusing a finding highlights the lines and boxes it is about; clicking pins it and scrolls
the picture to it; clicking a line in the picture highlights its findings. No network access: the style
and the script are inline and nothing is loaded from anywhere.

Without Graphviz there is no SVG: the page says how to install it and still lists the findings.
"""

from __future__ import annotations

import re
from html import escape

from dockernet.render.image import INSTALL_HINT
from dockernet.render.scene import Scene

_SVG_START = re.compile(r"<svg\b")
_STATUS = {"error": "error", "warning": "warning", "note": "note"}


def _svg_body(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration or DOCTYPE, which are invalid inside HTML)."""
    m = _SVG_START.search(svg)
    return svg[m.start() :] if m else ""


def _findings(scene: Scene) -> str:
    if not scene.findings:
        return '<p class="none">No findings: every route resolves.</p>'
    items = []
    # Errors first, then warnings, then notes; ids keep the findings' own order (#f3 is always finding 3).
    order = sorted(range(len(scene.findings)), key=lambda i: (-scene.findings[i].severity.rank, i))
    for i in order:
        f = scene.findings[i]
        targets = scene.targets_of(i)
        drawn = "" if targets else ' <span class="undrawn">(not in this picture)</span>'
        items.append(
            f'<li class="finding {_STATUS[f.severity.value]}" tabindex="0" id="f{i}" '
            f'data-targets="{escape(" ".join(targets))}">'
            f'<span class="sev">{escape(f.severity.value)}</span> <code>{escape(f.rule)}</code> '
            f"{escape(f.message)}{drawn}"
            f'<div class="where">{escape(scene.where(i))}</div>'
            f'<div class="hint">hint: {escape(f.hint)}</div></li>'
        )
    return '<ol id="findings">' + "".join(items) + "</ol>"


def render(scene: Scene, svg: str | None) -> str:
    """The HTML page; ``svg`` is Graphviz's SVG of the scene, or None when Graphviz is not installed."""
    counts = {
        s: sum(1 for f in scene.findings if f.severity.value == s) for s in ("error", "warning", "note")
    }
    summary = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts.items())
    if svg is not None:
        picture = f'<div id="picture">{_ZOOMBAR}<div id="canvas">{_svg_body(svg)}</div></div>'
    else:
        picture = (
            '<div id="picture" class="missing"><p>No picture: drawing it needs Graphviz\'s <code>dot</code>, '
            f"which was not found when this file was made.</p><p>{escape(INSTALL_HINT)}</p></div>"
        )
    partial = "".join(f'<p class="partial">partial result: {escape(p)}</p>' for p in scene.partial)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>dockernet · {escape(scene.title)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>dockernet · {escape(scene.title)}</h1><p class="summary">{escape(summary)}</p>{partial}'
        "</header>\n"
        f'<main class="{"" if scene.findings else "quiet"}">{picture}\n'
        f"<aside><h2>Findings</h2>{_findings(scene)}</aside></main>\n"
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


_ZOOMBAR = (
    '<div id="zoombar" role="toolbar" aria-label="zoom">'
    '<button type="button" id="zoom-out" title="zoom out (-)" aria-label="zoom out">\u2212</button>'
    '<span id="zoom-level" aria-live="polite">100%</span>'
    '<button type="button" id="zoom-in" title="zoom in (+)" aria-label="zoom in">+</button>'
    '<button type="button" id="zoom-fit" title="fit to window (0)">fit</button>'
    '<button type="button" id="zoom-1" title="actual size (1)">1:1</button></div>'
)
"""Zoom buttons (the script wires them; the wheel zooms at the pointer, dragging pans)."""

_CSS = """
body{margin:0;font:14px/1.4 "DejaVu Sans",system-ui,sans-serif;color:#212121;background:#fff;
display:flex;flex-direction:column;height:100vh}
header{padding:8px 16px;border-bottom:1px solid #e0e0e0;flex:0 0 auto}
h1{font-size:18px;margin:0}h2{font-size:15px;margin:8px 0}
.summary{margin:2px 0;color:#546e7a}.partial{color:#e65100;margin:2px 0}
main{display:flex;align-items:stretch;flex:1 1 auto;min-height:0}
#picture{flex:1 1 auto;position:relative;min-width:0;height:100%;border-right:1px solid #e0e0e0}
#canvas{position:absolute;inset:0;overflow:auto;display:flex;cursor:grab}
#canvas.dragging{cursor:grabbing;user-select:none}
#canvas svg{display:block;margin:auto;flex:0 0 auto}
#zoombar{position:absolute;top:8px;right:20px;z-index:1;display:flex;gap:2px;align-items:center;
background:rgba(255,255,255,.9);border:1px solid #cfd8dc;border-radius:4px;padding:2px}
#zoombar button{font:inherit;font-size:13px;min-width:28px;height:26px;border:1px solid #b0bec5;
background:#fff;border-radius:3px;cursor:pointer;padding:0 6px}
#zoombar button:hover,#zoombar button:focus{background:#eceff1}
#zoom-level{min-width:44px;text-align:center;font-size:12px;color:#546e7a}
#picture.missing{padding:16px}
aside{flex:0 0 30%;max-width:520px;overflow:auto;height:100%;padding:0 12px}
main.quiet aside{flex-basis:220px}
ol{padding-left:0;list-style:none}
.finding{padding:6px 8px;margin:4px 0;border-left:4px solid #9e9e9e;background:#fafafa;cursor:pointer}
.finding.error{border-color:#c62828}.finding.warning{border-color:#e65100}.finding.note{border-color:#0277bd}
.finding:hover,.finding:focus,.finding.pinned{background:#fff3c4;outline:none}
.sev{font-weight:bold;text-transform:uppercase;font-size:11px}
.error .sev{color:#c62828}.warning .sev{color:#e65100}.note .sev{color:#0277bd}
.where{color:#546e7a;font-size:12px;font-family:"DejaVu Sans Mono",monospace}
.hint{color:#37474f;font-size:12px}.undrawn{color:#9e9e9e;font-size:12px}
svg.dim g.edge,svg.dim g.node{opacity:.25}
svg.dim g.hl{opacity:1}
g.hl path{stroke:#ffb300;stroke-width:5px}
g.hl polygon{stroke:#ffb300;stroke-width:3px}
g.hl text{font-weight:bold}
g.edge{cursor:pointer}
"""

_JS = """
(function(){
  var svg=document.querySelector('#picture svg');
  var items=[].slice.call(document.querySelectorAll('li.finding'));
  var pinned=null;
  function parts(key){
    // An edge drawn in pieces (grid layout) has ids key, key-a and key-label.
    return svg?[].slice.call(svg.querySelectorAll('[id="'+key+'"],[id^="'+key+'-"]')):[];
  }
  function clear(){
    if(!svg)return;
    svg.classList.remove('dim');
    [].forEach.call(svg.querySelectorAll('.hl'),function(e){e.classList.remove('hl');});
  }
  function show(li){
    clear();
    var keys=(li.getAttribute('data-targets')||'').split(' ').filter(Boolean);
    if(!svg||!keys.length)return null;
    var first=null;
    keys.forEach(function(k){parts(k).forEach(function(e){e.classList.add('hl');first=first||e;});});
    if(first)svg.classList.add('dim');
    return first;
  }
  items.forEach(function(li){
    li.addEventListener('mouseenter',function(){if(!pinned)show(li);});
    li.addEventListener('focus',function(){if(!pinned)show(li);});
    li.addEventListener('mouseleave',function(){if(!pinned)clear();});
    li.addEventListener('click',function(){
      if(pinned===li){pinned=null;li.classList.remove('pinned');clear();return;}
      if(pinned)pinned.classList.remove('pinned');
      pinned=li;li.classList.add('pinned');
      var first=show(li);
      // A pinned finding is read, not overviewed: a picture zoomed out below 75 % goes to its own size.
      if(first&&natW&&zoom<0.75)setZoom(1);
      if(first&&first.scrollIntoView)first.scrollIntoView({block:'center',inline:'center'});
    });
  });
  if(svg){
    svg.addEventListener('click',function(ev){
      var g=ev.target.closest?ev.target.closest('g.edge,g.node'):null;
      if(!g||!g.id)return;
      var key=g.id.replace(/-(a|label)$/,'');
      var hit=items.filter(function(li){
        return (' '+li.getAttribute('data-targets')+' ').indexOf(' '+key+' ')>=0;
      });
      if(hit.length){hit[0].click();hit[0].scrollIntoView({block:'nearest'});}
    });
  }
  // Zoom, fit and pan. The SVG keeps its viewBox; only its CSS size changes (Graphviz sizes it in pt, 4/3 px
  // each), so #canvas scrolls over it and scrollIntoView still finds a pinned finding's line.
  var canvas=document.getElementById('canvas');
  var level=document.getElementById('zoom-level');
  var picture=document.getElementById('picture');
  var vb=svg&&svg.viewBox&&svg.viewBox.baseVal;
  var natW=vb&&vb.width?vb.width*4/3:0, natH=vb&&vb.height?vb.height*4/3:0;
  var zoom=1, fitted=false, MAX=8;
  function fitZoom(){
    // The whole picture in the window, never enlarged past its own size.
    return Math.min(1,(canvas.clientWidth-2)/natW,(canvas.clientHeight-2)/natH);
  }
  function setZoom(z,cx,cy,fit){
    z=Math.max(Math.min(fitZoom(),1)/4,Math.min(MAX,z));
    if(cx===undefined){cx=canvas.clientWidth/2;cy=canvas.clientHeight/2;}
    // Keep the point under (cx, cy) where it is.
    var px=(canvas.scrollLeft+cx)/zoom, py=(canvas.scrollTop+cy)/zoom;
    zoom=z;fitted=!!fit;
    svg.style.width=(natW*z)+'px';svg.style.height=(natH*z)+'px';
    canvas.scrollLeft=px*z-cx;canvas.scrollTop=py*z-cy;
    level.textContent=Math.round(z*100)+'%';
    picture.setAttribute('data-zoom',z.toFixed(3));
    picture.setAttribute('data-fitted',fitted?'true':'false');
  }
  function fit(){setZoom(fitZoom(),undefined,undefined,true);canvas.scrollLeft=0;canvas.scrollTop=0;}
  if(svg&&canvas&&natW&&natH){
    var step=function(f){setZoom(zoom*f);};
    document.getElementById('zoom-in').addEventListener('click',function(){step(1.25);});
    document.getElementById('zoom-out').addEventListener('click',function(){step(0.8);});
    document.getElementById('zoom-fit').addEventListener('click',fit);
    document.getElementById('zoom-1').addEventListener('click',function(){setZoom(1);});
    canvas.addEventListener('wheel',function(ev){
      ev.preventDefault();
      var r=canvas.getBoundingClientRect();
      var dy=ev.deltaY*(ev.deltaMode===1?16:ev.deltaMode===2?400:1);
      setZoom(zoom*Math.exp(-dy*0.0015),ev.clientX-r.left,ev.clientY-r.top);
    },{passive:false});
    // Drag pans; a drag is not a click (clicking a line selects its finding).
    var drag=null, moved=false;
    canvas.addEventListener('mousedown',function(ev){
      if(ev.button!==0)return;
      drag={x:ev.clientX,y:ev.clientY,l:canvas.scrollLeft,t:canvas.scrollTop};moved=false;
    });
    window.addEventListener('mousemove',function(ev){
      if(!drag)return;
      var dx=ev.clientX-drag.x, dy=ev.clientY-drag.y;
      if(!moved&&Math.abs(dx)+Math.abs(dy)<4)return;
      moved=true;canvas.classList.add('dragging');
      canvas.scrollLeft=drag.l-dx;canvas.scrollTop=drag.t-dy;ev.preventDefault();
    });
    window.addEventListener('mouseup',function(){drag=null;canvas.classList.remove('dragging');});
    canvas.addEventListener('click',function(ev){if(moved){ev.stopPropagation();moved=false;}},true);
    document.addEventListener('keydown',function(ev){
      if(ev.ctrlKey||ev.metaKey||ev.altKey)return;
      if(ev.key==='+'||ev.key==='=')step(1.25);
      else if(ev.key==='-')step(0.8);
      else if(ev.key==='0')fit();
      else if(ev.key==='1')setZoom(1);
    });
    window.addEventListener('resize',function(){if(fitted)fit();});
    fit();
  }
  // topology.html#f3 opens with finding 3 pinned (links in reviews can point at one finding).
  var m=/^#(f[0-9]+)$/.exec(location.hash||'');
  var start=m?document.getElementById(m[1]):null;
  if(start)start.click();
  document.body.setAttribute('data-ready', String(items.length));
})();
"""
