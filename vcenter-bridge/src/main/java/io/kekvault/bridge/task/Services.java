package io.kekvault.bridge.task;

import io.kekvault.bridge.host.HostConnector;
import io.kekvault.bridge.provider.KekService;
import io.kekvault.bridge.store.Database;
import java.time.Duration;

/** What tasks work with: the database, the key providers, the hosts. */
public record Services(Database db, KekService keks, HostConnector hosts, Duration jobTimeout) {
}
