#!/usr/bin/env bash
# Makes the tiny DICOM CT fixtures in this folder (committed; tests do not need dcmtk).
# Needs dcmtk (Debian: apt-get install -y dcmtk) and awk. Run from anywhere: bash make-fixtures.sh
#
# Folders made (voxel values follow formulas that DicomSeriesReaderTest recomputes):
#   oblique-ct/   16 columns x 12 rows x 6 slices, explicit VR little endian, unsigned 16-bit, RescaleSlope 2,
#                 RescaleIntercept -1024: HU = 2 * (10x + 37y + 300k + 1) - 1024, k = slice index along the normal.
#                 Orientation rotated 20 degrees about (1,2,2)/3; slice step = 1.25 * normal + 0.15 * column
#                 direction (gantry-tilt shear). PixelSpacing 0.7 (rows) \ 0.5 (columns). File names and
#                 InstanceNumbers are shuffled against the physical order. Also holds notes.txt and a DICOM
#                 object without pixel data (both must be skipped).
# Every slice carries a ReferencedSeriesSequence whose nested SeriesInstanceUID differs from the slice's own.
#   two-series/   implicit VR little endian. Series A: 10 x 8 x 5 axial, signed 16-bit, slope 1, intercept -1024,
#                 stored = 50k + x + 10y - 200, slices 2.5 mm apart with z falling as InstanceNumber rises.
#                 Series B: 10 x 8 x 2, unsigned, slope 0.25, intercept -3, stored = 3x + 5y + 7k.
#   uneven/       8 x 8 x 4 axial slices at z = 0, 1, 2, 4.5 (not uniform: must be refused).
#   compressed/   8 x 8 x 3 axial; the middle slice is JPEG lossless (1.2.840.10008.1.2.4.70): must be refused.
#   big-endian/   the oblique-ct slices re-encoded as explicit VR big endian with undefined-length sequences,
#   implicit/     and as implicit VR little endian with undefined-length sequences: both must read to the same
#                 volume as oblique-ct.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
command -v dump2dcm >/dev/null || { echo "needs dcmtk: apt-get install -y dcmtk" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="2.25.31415926535897932384626433832795"   # fixed UID root: fixtures are reproducible byte for byte

# slice NAME XFER SERIES_NO SERIES_UID SERIES_DESC INSTANCE ROWS COLS PIXEL_SPACING IOP IPP REPR SLOPE INTERCEPT K FORMULA
# FORMULA is an awk expression of x (column), y (row), k giving the stored value.
slice() {
  local name=$1 xfer=$2 series_no=$3 series_uid=$4 desc=$5 inst=$6 rows=$7 cols=$8 ps=$9 iop=${10} ipp=${11}
  local repr=${12} slope=${13} intercept=${14} k=${15} formula=${16}
  local dump="$work/${name////_}.dump"
  {
    echo "(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]"
    echo "(0008,0016) UI =CTImageStorage"
    echo "(0008,0018) UI [$series_uid.$inst]"
    echo "(0008,0060) CS [CT]"
    echo "(0008,103e) LO [$desc]"
    # A nested SeriesInstanceUID (as in real CT) that a reader must not take for the slice's own.
    echo "(0008,1115) SQ (Sequence with explicit length #=1)"
    echo "(fffe,e000) na (Item with explicit length #=1)"
    echo "(0020,000e) UI [$root.999]"
    echo "(fffe,e00d) na (ItemDelimitationItem for re-encoding)"
    echo "(fffe,e0dd) na (SequenceDelimitationItem for re-encoding)"
    echo "(0010,0010) PN [Fixture^Synthetic]"
    echo "(0010,0020) LO [CALVARIA-FIXTURE]"
    echo "(0018,0050) DS [1.25]"
    echo "(0020,000d) UI [$root.1]"
    echo "(0020,000e) UI [$series_uid]"
    echo "(0020,0011) IS [$series_no]"
    echo "(0020,0013) IS [$inst]"
    echo "(0020,0032) DS [$ipp]"
    echo "(0020,0037) DS [$iop]"
    echo "(0028,0002) US 1"
    echo "(0028,0004) CS [MONOCHROME2]"
    echo "(0028,0010) US $rows"
    echo "(0028,0011) US $cols"
    echo "(0028,0030) DS [$ps]"
    echo "(0028,0100) US 16"
    echo "(0028,0101) US 16"
    echo "(0028,0102) US 15"
    echo "(0028,0103) US $repr"
    echo "(0028,1052) DS [$intercept]"
    echo "(0028,1053) DS [$slope]"
    awk -v rows="$rows" -v cols="$cols" -v k="$k" "BEGIN {
      printf \"(7fe0,0010) OW \";
      for (y = 0; y < rows; y++) for (x = 0; x < cols; x++) {
        v = $formula;
        if (v < 0) v += 65536;
        printf \"%s%04x\", (x == 0 && y == 0) ? \"\" : \"\\\\\", v;
      }
      printf \"\\n\";
    }"
  } > "$dump"
  dump2dcm -q "$xfer" "$dump" "$name"
}

# --- oblique-ct: rotation R about (1,2,2)/3 by 20 degrees; row dir = R e1, column dir = R e2, normal = R e3.
rm -rf oblique-ct two-series uneven compressed big-endian implicit
mkdir -p oblique-ct two-series uneven compressed big-endian implicit
read -r iop step0 step1 step2 < <(awk 'BEGIN {
  pi = atan2(0, -1); a = 20 * pi / 180; x = 1/3; y = 2/3; z = 2/3; c = cos(a); s = sin(a); t = 1 - c;
  r00 = t*x*x + c;   r01 = t*x*y - s*z; r02 = t*x*z + s*y;
  r10 = t*x*y + s*z; r11 = t*y*y + c;   r12 = t*y*z - s*x;
  r20 = t*x*z - s*y; r21 = t*y*z + s*x; r22 = t*z*z + c;
  printf "%.8f\\%.8f\\%.8f\\%.8f\\%.8f\\%.8f ", r00, r10, r20, r01, r11, r21;
  printf "%.8f %.8f %.8f\n", 1.25*r02 + 0.15*r01, 1.25*r12 + 0.15*r11, 1.25*r22 + 0.15*r21 }')
names=(slice_c slice_f slice_a slice_e slice_b slice_d)
instances=(3 6 1 5 2 4)
for k in 0 1 2 3 4 5; do
  ipp=$(awk -v k=$k -v s0=$step0 -v s1=$step1 -v s2=$step2 \
    'BEGIN { printf "%.6f\\%.6f\\%.6f", -40.5 + k*s0, 22.25 + k*s1, 101.0 + k*s2 }')
  slice "oblique-ct/${names[$k]}.dcm" +te 7 "$root.7" "oblique tilted" "${instances[$k]}" 12 16 '0.7\0.5' \
    "$iop" "$ipp" 0 2 -1024 $k "10*x + 37*y + 300*k + 1"
done
echo "A note that sits beside the images; the reader must skip it." > oblique-ct/notes.txt
cat > "$work/sr.dump" <<EOF
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.88.11]
(0008,0018) UI [$root.7.99]
(0008,0060) CS [SR]
(0020,000d) UI [$root.1]
(0020,000e) UI [$root.77]
EOF
dump2dcm -q +te "$work/sr.dump" oblique-ct/report.dcm

# --- two-series: A (5 axial slices, signed) and B (2 slices, fractional slope)
for k in 0 1 2 3 4; do
  z=$(awk -v k=$k 'BEGIN { printf "%.1f", -20 + 2.5*k }')
  slice "two-series/a$((5 - k)).dcm" +ti 2 "$root.2" "head A" $((5 - k)) 8 10 '0.8\0.6' \
    '1\0\0\0\1\0' "-30\-20\\$z" 1 1 -1024 $k "50*k + x + 10*y - 200"
done
for k in 0 1; do
  slice "two-series/b$k.dcm" +ti 3 "$root.3" "scout B" $((k + 1)) 8 10 '1\1' \
    '1\0\0\0\1\0' "0\0\\$((3 * k))" 0 0.25 -3 $k "3*x + 5*y + 7*k"
done

# --- uneven: gaps 1, 1, 2.5
zs=(0 1 2 4.5)
for k in 0 1 2 3; do
  slice "uneven/u$k.dcm" +te 4 "$root.4" "uneven" $((k + 1)) 8 8 '1\1' '1\0\0\0\1\0' "0\0\\${zs[$k]}" 1 1 0 $k "x + y + k"
done

# --- compressed: middle slice JPEG lossless
for k in 0 1 2; do
  slice "compressed/c$k.dcm" +te 5 "$root.5" "compressed" $((k + 1)) 8 8 '1\1' '1\0\0\0\1\0' "0\0\\$k" 1 1 0 $k \
    "x + 8*y + 64*k"
done
dcmcjpeg compressed/c1.dcm "$work/c1-jpeg.dcm"
mv "$work/c1-jpeg.dcm" compressed/c1.dcm
# --- big-endian and implicit: same slices, other encodings
for f in oblique-ct/slice_*.dcm; do
  dcmconv -q +tb -e "$f" "big-endian/$(basename "$f")"
  dcmconv -q +ti -e "$f" "implicit/$(basename "$f")"
done
echo "fixtures written under $here"
