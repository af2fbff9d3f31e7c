import { render } from "preact";
import { App } from "./App";
import { takeOidcAnswer } from "./oidc";
import "./styles.css";

takeOidcAnswer();

render(<App />, document.getElementById("app")!);
