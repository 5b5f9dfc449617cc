#!/bin/sh
# `dot` for machines without Graphviz: scripts/_setup.sh copies this into the venv's bin when
# no system dot exists. It runs graphviz-pure (pip install graphviz-pure), a port of dot.
# graphviz-pure has no PostScript output, and keras.utils.plot_model first checks for dot by
# rendering an EMPTY graph as PostScript (check_graphviz): that probe alone is answered here
# (exit 0); every other request, -Tps on a real graph included, goes to graphviz-pure.
here=${0%/*}
pure="$here/graphviz-pure"
[ -x "$pure" ] || pure=graphviz-pure
if [ "$#" = 2 ] && [ "$1" = "-Tps" ] && [ -f "$2" ]; then
  probe=""
  while IFS= read -r line || [ -n "$line" ]; do probe="$probe$line"; done < "$2"
  case "$probe" in "digraph G {}") exit 0 ;; esac
fi
exec "$pure" "$@"
