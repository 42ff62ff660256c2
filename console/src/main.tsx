import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { describeError, loadSettings, storedToken, storeToken, type GatewaySettings } from "./api";
import { href, useRoute, type Route } from "./router";
import { Rights } from "./scopes";
import { TokenForm } from "./screens/TokenForm";
import { TopicsScreen } from "./screens/TopicsScreen";
import { TopicScreen } from "./screens/TopicScreen";
import { GroupsScreen } from "./screens/GroupsScreen";
import { GroupScreen } from "./screens/GroupScreen";
import { ProduceScreen } from "./screens/ProduceScreen";
import { ClusterScreen } from "./screens/ClusterScreen";

function App() {
  const route = useRoute();
  const [settings, setSettings] = useState<GatewaySettings | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(storedToken());

  useEffect(() => {
    loadSettings().then(setSettings, (e: unknown) => setFailure(describeError(e)));
  }, []);

  useEffect(() => {
    document.title = `${title(route)} · Liiklus console`;
  }, [route]);

  if (failure !== null) {
    return <main><p class="error" role="alert">{failure}</p></main>;
  }
  if (settings === null) {
    return <main><p class="muted">Loading…</p></main>;
  }
  const signIn = (value: string | null) => {
    storeToken(value);
    setToken(value);
  };
  if (settings.tokenRequired && token === null) {
    return <TokenForm onToken={signIn} />;
  }
  const rights = settings.scopesRequired && token !== null ? Rights.fromToken(token) : Rights.all;
  // An UNAUTHENTICATED answer (expired or wrong token) sends the user back to the token form.
  const signedOut = () => signIn(null);
  return (
    <>
      <header class="bar">
        <a class="brand" href={href({ screen: "topics" })}>Liiklus</a>
        <nav aria-label="Screens">
          <a href={href({ screen: "topics" })} aria-current={route.screen === "topics" || route.screen === "topic" ? "page" : undefined}>Topics</a>
          <a href={href({ screen: "groups" })} aria-current={route.screen === "groups" || route.screen === "group" ? "page" : undefined}>Groups</a>
          {rights.any("publish") && (
            <a href={href({ screen: "produce", topic: "" })} aria-current={route.screen === "produce" ? "page" : undefined}>Produce</a>
          )}
          <a href={href({ screen: "cluster" })} aria-current={route.screen === "cluster" ? "page" : undefined}>Cluster</a>
        </nav>
        {settings.tokenRequired && <button type="button" class="link" onClick={signedOut}>Forget token</button>}
      </header>
      <main>
        <Screen route={route} rights={rights} onUnauthenticated={signedOut} />
      </main>
    </>
  );
}

interface ScreenProps {
  route: Route;
  rights: Rights;
  onUnauthenticated: () => void;
}

function Screen({ route, rights, onUnauthenticated }: ScreenProps) {
  switch (route.screen) {
    case "topics":
      return <TopicsScreen onUnauthenticated={onUnauthenticated} />;
    case "topic":
      return <TopicScreen key={route.topic} topic={route.topic} rights={rights} onUnauthenticated={onUnauthenticated} />;
    case "groups":
      return <GroupsScreen onUnauthenticated={onUnauthenticated} />;
    case "group":
      return (
        <GroupScreen
          key={`${route.topic}/${route.group}/${route.version}`}
          topic={route.topic}
          group={route.group}
          version={route.version}
          rights={rights}
          onUnauthenticated={onUnauthenticated}
        />
      );
    case "produce":
      return <ProduceScreen key={route.topic} topic={route.topic} onUnauthenticated={onUnauthenticated} />;
    case "cluster":
      return <ClusterScreen onUnauthenticated={onUnauthenticated} />;
    case "notFound":
      return (
        <section>
          <h1>Not found</h1>
          <p>No screen at {route.path}. <a href={href({ screen: "topics" })}>Topics</a></p>
        </section>
      );
  }
}

function title(route: Route): string {
  switch (route.screen) {
    case "topics":
      return "Topics";
    case "topic":
      return route.topic;
    case "groups":
      return "Groups";
    case "group":
      return `${route.group} on ${route.topic}`;
    case "produce":
      return "Produce";
    case "cluster":
      return "Cluster";
    case "notFound":
      return "Not found";
  }
}

render(<App />, document.getElementById("app")!);
