#!/bin/bash
# Entrypoint of the probe image: report what the container was given, then answer TCP on the
# baked ports (so a healthcheck that dials them passes). Secrets never leave: file contents and
# env values are reported as sha256 only.
set -u
sha() { sha256sum | cut -d' ' -f1; }
{
  echo "PROBE-BEGIN"
  echo -e "ID\t$(id -u)\t$(id -g)"
  echo -e "HOSTNAME\t$(hostname)"
  # Every file and directory that was not in the image when it was built (uploads land here).
  find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -type f -o -type d \) -print 2>/dev/null \
    | LC_ALL=C sort > /tmp/probe-now
  LC_ALL=C comm -13 /probe/baseline /tmp/probe-now | while IFS= read -r path; do
    case "$path" in /tmp/probe-now|/etc/hostname|/etc/hosts|/etc/resolv.conf|/tmp) continue ;; esac
    if [ -d "$path" ]; then kind=DIR; digest=-; else kind=FILE; digest=$(sha < "$path" 2>/dev/null || echo unreadable); fi
    echo -e "${kind}\t${path}\t$(stat -c '%u\t%g\t%a' "$path")\t${digest}"
  done
  # Files in mounted volumes (another filesystem, so -xdev above skips them): secret files land here.
  awk '{print $5}' /proc/self/mountinfo | grep -E '^/usr/share/' | while IFS= read -r target; do
    find "$target" -mindepth 1 \( -type f -o -type d \) -print 2>/dev/null | LC_ALL=C sort | while IFS= read -r path; do
      if [ -d "$path" ]; then kind=DIR; digest=-; else kind=FILE; digest=$(sha < "$path" 2>/dev/null || echo unreadable); fi
      echo -e "${kind}\t${path}\t$(stat -c '%u\t%g\t%a' "$path")\t${digest}"
    done
    echo -e "DIR\t${target}\t$(stat -c '%u\t%g\t%a' "$target")\t-"
  done
  env | LC_ALL=C sort | while IFS= read -r line; do
    echo -e "ENV\t${line%%=*}\t$(printf '%s' "$line" | sha)"
  done
  # Mount points outside the image's own system paths (volumes, bind mounts).
  awk '{print $5"\t"$9}' /proc/self/mountinfo | grep -Ev '^/(proc|sys|dev)(/|	)|^/	|^/etc/(hosts|hostname|resolv.conf)	' \
    | while IFS=$'\t' read -r target fstype; do echo -e "MOUNT\t${target}\t${fstype}"; done
  grep -E '^Max (open files|locked memory)' /proc/self/limits | awk '{n=$2"_"$3; print "LIMIT\t" n "\t" $4 "\t" $5}'
  if [ -r /sys/fs/cgroup/memory.max ]; then echo -e "MEMORY\t$(cat /sys/fs/cgroup/memory.max)";
  elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then echo -e "MEMORY\t$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"; fi
  echo "PROBE-END"
} 2>&1
for port in $(cat /probe/ports); do
  socat "TCP-LISTEN:${port},fork,reuseaddr" SYSTEM:true &
done
wait
