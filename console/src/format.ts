// How records and figures are shown: bytes as text, JSON or hex; big offsets as they are (uint64 as bigint).
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

export type ValueView = "text" | "json" | "hex";

const decoder = new TextDecoder("utf-8", { fatal: false });
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export function bytesAs(bytes: Uint8Array, view: ValueView): string {
  if (view === "hex") {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
  }
  const text = decoder.decode(bytes);
  if (view === "json") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}

/** Text when the bytes are UTF-8, hex otherwise (header values). */
export function bytesReadable(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return bytesAs(bytes, "hex");
  }
}

export function time(timestamp: Timestamp | undefined): string {
  return timestamp ? timestampDate(timestamp).toISOString() : "—";
}

export function count(value: bigint | number | undefined): string {
  return value === undefined ? "—" : value.toLocaleString("en-US");
}

export function rate(perSecond: number | undefined): string {
  return perSecond === undefined ? "—" : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`;
}
