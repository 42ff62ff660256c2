// Every screen has a path of its own under /console/, so a reload or a shared link opens the same screen.
import { useEffect, useState } from "preact/hooks";

export const base = "/console";

export type Route =
  | { screen: "topics" }
  | { screen: "topic"; topic: string }
  | { screen: "groups" }
  | { screen: "group"; topic: string; group: string; version: number }
  | { screen: "produce"; topic: string }
  | { screen: "cluster" }
  | { screen: "notFound"; path: string };

export function parse(location: Location): Route {
  const rest = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  const parts = rest.split("/").filter((p) => p.length > 0).map(decodeURIComponent);
  const query = new URLSearchParams(location.search);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "topics")) {
    return { screen: "topics" };
  }
  if (parts[0] === "topics" && parts.length === 2) {
    return { screen: "topic", topic: parts[1] };
  }
  if (parts[0] === "groups" && parts.length === 1) {
    return { screen: "groups" };
  }
  if (parts[0] === "groups" && parts.length === 3) {
    const version = Number.parseInt(query.get("version") ?? "0", 10);
    return { screen: "group", topic: parts[1], group: parts[2], version: Number.isFinite(version) && version >= 0 ? version : 0 };
  }
  if (parts[0] === "cluster" && parts.length === 1) {
    return { screen: "cluster" };
  }
  if (parts[0] === "produce") {
    return { screen: "produce", topic: parts[1] ?? query.get("topic") ?? "" };
  }
  return { screen: "notFound", path: location.pathname };
}

export function href(route: Route): string {
  switch (route.screen) {
    case "topics":
      return `${base}/topics`;
    case "topic":
      return `${base}/topics/${encodeURIComponent(route.topic)}`;
    case "groups":
      return `${base}/groups`;
    case "group":
      return `${base}/groups/${encodeURIComponent(route.topic)}/${encodeURIComponent(route.group)}?version=${route.version}`;
    case "produce":
      return route.topic ? `${base}/produce/${encodeURIComponent(route.topic)}` : `${base}/produce`;
    case "cluster":
      return `${base}/cluster`;
    case "notFound":
      return route.path;
  }
}

export function navigate(to: string): void {
  window.history.pushState(null, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location));
  useEffect(() => {
    const changed = () => setRoute(parse(window.location));
    window.addEventListener("popstate", changed);
    // Links inside the app change the screen without a reload; any modifier keeps the browser's own behaviour.
    const clicked = (event: MouseEvent) => {
      const anchor = (event.target as Element | null)?.closest?.("a");
      if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      const url = new URL(anchor.href, window.location.href);
      if (url.origin === window.location.origin && url.pathname.startsWith(base) && !anchor.hasAttribute("download")) {
        event.preventDefault();
        navigate(url.pathname + url.search);
      }
    };
    document.addEventListener("click", clicked);
    return () => {
      window.removeEventListener("popstate", changed);
      document.removeEventListener("click", clicked);
    };
  }, []);
  return route;
}
