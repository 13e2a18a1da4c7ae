/**
 * Writes small stored (uncompressed) ZIP archives for tests, laid out like
 * torch.save's: local headers, data, central directory, end record. CRCs are
 * left at zero: nothing here inflates or checks them.
 */
export interface ZipSpec {
  entries: { name: string; data: Uint8Array }[];
  /** Set bit 3 (sizes in a data descriptor) on every local header, sizes zeroed. */
  dataDescriptor?: boolean;
}

export function buildZip(spec: ZipSpec): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of spec.entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800 | (spec.dataDescriptor ? 8 : 0), 6);
    local.writeUInt32LE(spec.dataDescriptor ? 0 : entry.data.length, 18);
    local.writeUInt32LE(spec.dataDescriptor ? 0 : entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x800, 8);
    record.writeUInt32LE(entry.data.length, 20);
    record.writeUInt32LE(entry.data.length, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    parts.push(local, name, Buffer.from(entry.data));
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(spec.entries.length, 8);
  end.writeUInt16LE(spec.entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}
