#!/usr/bin/env bash
# Copy the built files of the pinned npm packages into var/vendor, which Django serves as static/vendor/.
# material-icons (2,000+ files) is skipped: the USWDS icons we use live in img/usa-icons and img/sprite.svg.
set -euo pipefail
src=node_modules/@uswds/uswds/dist
dest=var/vendor/uswds
[ -f "$dest/.copied-from" ] && [ "$(cat "$dest/.copied-from")" = "$(sha1sum package-lock.json | cut -c1-40)" ] && exit 0
rm -rf "$dest" && mkdir -p "$dest/img"
cp -r "$src/css" "$src/fonts" "$src/js" "$dest/"
find "$src/img" -mindepth 1 -maxdepth 1 ! -name 'material-icons*' -exec cp -r {} "$dest/img/" \;
sha1sum package-lock.json | cut -c1-40 > "$dest/.copied-from"
