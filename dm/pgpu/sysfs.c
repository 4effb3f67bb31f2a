/* SPDX-License-Identifier: MIT */
/*
 * pgpu_sysfs.c — the real GPU backend: BAR0 of the PCI device mapped from
 * /sys/bus/pci/devices/<sbdf>/resource0 (registers at 0, GGTT at +8 MiB on
 * Gen9), facts from sysfs (device id, BAR2 size = aperture). It does not
 * own the device's driver binding or power management: the host must have
 * unbound i915 (or stubbed it) before the daemon starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mediator/log.h"
#include "dm/pgpu/pgpu_list.h"

#define SYSFS_PCI "/sys/bus/pci/devices"
#define SYSFS_BAR0_SIZE (16u << 20)
#define SYSFS_REGS_SIZE (2u << 20)
#define SYSFS_GGTT_OFF (8u << 20)	/* Gen9 GTTMMADR: GGTT in the upper half */
#define SYSFS_GGTT_ENTRIES ((SYSFS_BAR0_SIZE - SYSFS_GGTT_OFF) / 8)
#define SYSFS_NR_FENCES 32		/* Gen9: 32 fence registers */

struct pgpu {
	volatile uint8_t *bar0;
	struct pgpu_info info;
};

static uint32_t
sysfs_mmio_read(struct pgpu *p, uint32_t off)
{
	if (off > SYSFS_REGS_SIZE - 4)
		return ~0u;
	return *(volatile uint32_t *)(p->bar0 + (off & ~3u));
}

static void
sysfs_mmio_write(struct pgpu *p, uint32_t off, uint32_t val)
{
	if (off > SYSFS_REGS_SIZE - 4)
		return;
	*(volatile uint32_t *)(p->bar0 + (off & ~3u)) = val;
}

static uint64_t
sysfs_ggtt_read(struct pgpu *p, uint64_t idx)
{
	if (idx >= SYSFS_GGTT_ENTRIES)
		return 0;
	return *(volatile uint64_t *)(p->bar0 + SYSFS_GGTT_OFF + idx * 8);
}

static void
sysfs_ggtt_write(struct pgpu *p, uint64_t idx, uint64_t pte)
{
	if (idx >= SYSFS_GGTT_ENTRIES)
		return;
	*(volatile uint64_t *)(p->bar0 + SYSFS_GGTT_OFF + idx * 8) = pte;
}

static void
sysfs_info(struct pgpu *p, struct pgpu_info *out)
{
	*out = p->info;
}

static void
sysfs_close(struct pgpu *p)
{
	munmap((void *)(uintptr_t)p->bar0, SYSFS_BAR0_SIZE);
	free(p);
}

static const struct pgpu_ops sysfs_ops = {
	.mmio_read = sysfs_mmio_read,
	.mmio_write = sysfs_mmio_write,
	.ggtt_read = sysfs_ggtt_read,
	.ggtt_write = sysfs_ggtt_write,
	.info = sysfs_info,
	.close = sysfs_close,
};

/* Read one line of a sysfs file of the device. */
static int
read_attr(const char *sbdf, const char *attr, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", sbdf, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

/* BAR2 (GMADR) size from the "resource" table: line 3 is "start end flags". */
static int
aperture_size(const char *sbdf, uint64_t *size)
{
	char path[256], line[128];
	unsigned long long start, end, flags;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource", sbdf);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < 2)
		n++;
	fclose(f);
	if (n != 2 || sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || end <= start)
		return -ENODEV;
	*size = end - start + 1;
	return 0;
}

/* spec: the PCI address "0000:00:02.0" (default). */
static int
sysfs_open(const char *spec, struct pgpu_dev *out)
{
	const char *sbdf = spec && *spec ? spec : "0000:00:02.0";
	char path[256], buf[32];
	struct pgpu *p;
	void *bar0;
	int fd, rc;

	if (strchr(sbdf, '/') || strlen(sbdf) > 32)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = read_attr(sbdf, "device", buf, sizeof(buf));
	if (rc)
		goto err_free;
	p->info.device_id = (uint16_t)strtoul(buf, NULL, 16);
	rc = aperture_size(sbdf, &p->info.aperture_size);
	if (rc)
		goto err_free;
	p->info.ggtt_entries = SYSFS_GGTT_ENTRIES;
	p->info.gm_size = SYSFS_GGTT_ENTRIES * 4096ull;
	p->info.nr_fences = SYSFS_NR_FENCES;
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource0", sbdf);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto err_free;
	}
	bar0 = mmap(NULL, SYSFS_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = bar0 == MAP_FAILED ? -errno : 0;
	close(fd);
	if (rc)
		goto err_free;
	p->bar0 = bar0;
	out->ops = &sysfs_ops;
	out->p = p;
	return 0;

err_free:
	log_err("sysfs GPU %s: %s", sbdf, strerror(-rc));
	free(p);
	return rc;
}

const struct pgpu_backend pgpu_sysfs_backend = {
	.name = "sysfs",
	.open = sysfs_open,
};
