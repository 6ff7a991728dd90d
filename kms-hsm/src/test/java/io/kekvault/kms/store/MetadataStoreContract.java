package io.kekvault.kms.store;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.WrongStateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link MetadataStore} must have. One subclass per implementation (SQLite,
 * PostgreSQL) supplies a fresh empty store and a way to make it unreachable.
 */
public abstract class MetadataStoreContract {

    /** An induced outage of the store's database; closing it ends the outage. */
    public interface Outage extends AutoCloseable {
        @Override
        void close() throws Exception;
    }

    /** A fresh, empty, migrated store. */
    protected abstract MetadataStore newStore() throws Exception;

    /** Makes the database unreachable for {@code store} until the returned outage is closed. */
    protected abstract Outage startOutage(MetadataStore store) throws Exception;

    protected MetadataStore store;
    protected long seed;
    protected Random random;

    @BeforeEach
    void openStore() throws Exception {
        seed = System.nanoTime();
        System.out.println(getClass().getSimpleName() + " seed=" + seed);
        random = new Random(seed);
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected String newId() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /** A minimal valid record. */
    protected static KeyRecord sample(String id) {
        return KeyRecord.builder()
                .id(id)
                .objectType("SYMMETRIC_KEY")
                .algorithm("AES")
                .lengthBits(256)
                .usageMask(12)
                .state(KeyState.PRE_ACTIVE)
                .owner("vcenter")
                .initialDate(Instant.parse("2026-01-02T03:04:05.678Z"))
                .hsmLabel("kekvault:" + id)
                .build();
    }

    /** A record with every field set, and every attribute value type. */
    protected static KeyRecord full(String id) {
        Instant t = Instant.parse("2026-03-04T05:06:07.891Z");
        return KeyRecord.builder()
                .id(id)
                .objectType("SYMMETRIC_KEY")
                .algorithm("AES")
                .lengthBits(256)
                .usageMask(0x0C | 0x1000)
                .state(KeyState.COMPROMISED)
                .names(List.of("vm-42-kek-" + id, "alias-" + id))
                .initialDate(t)
                .activationDate(t.plusSeconds(1))
                .deactivationDate(t.plusSeconds(2))
                .compromiseDate(t.plusSeconds(3))
                .compromiseOccurrenceDate(t.plusSeconds(4))
                .destroyDate(t.plusSeconds(5))
                .lastChangeDate(t.plusSeconds(6))
                .owner("vcenter")
                .extractable(true)
                .hsmLabel("kekvault:" + id)
                .addLink("REPLACED_OBJECT_LINK", "00000000-0000-0000-0000-000000000001")
                .addLink("REPLACEMENT_OBJECT_LINK", "00000000-0000-0000-0000-000000000002")
                .addAttribute("x-Vendor", AttributeValue.text("VMware, Inc. \"ü\" \n"))
                .addAttribute("x-Product", AttributeValue.text("VMware vSphere"))
                .addAttribute("x-Count", AttributeValue.integer(-7))
                .addAttribute("x-Long", AttributeValue.longInteger(Long.MAX_VALUE))
                .addAttribute("x-Big", AttributeValue.bigInteger(new BigInteger("123456789012345678901234567890")))
                .addAttribute("x-Enum", AttributeValue.enumeration(0x10))
                .addAttribute("x-Flag", AttributeValue.bool(true))
                .addAttribute("x-Digest", AttributeValue.bytes(new byte[] {0, 1, (byte) 0xff}))
                .addAttribute("x-When", AttributeValue.dateTime(t))
                .addAttribute("x-Interval", AttributeValue.interval(3600))
                .addAttribute("Cryptographic Parameters", AttributeValue.structure(List.of(
                        Attribute.of("Block Cipher Mode", AttributeValue.enumeration(9)),
                        Attribute.of("Tag Length", AttributeValue.integer(16)))))
                .addAttribute("x-Product", AttributeValue.text("second instance"))
                .revocationReason("KEY_COMPROMISE")
                .revocationMessage("host stolen")
                .build();
    }

    // ------------------------------------------------------------------ CRUD

    @Test
    void insert_thenGet_returnsTheSameRecordAtVersionOne() throws Exception {
        KeyRecord record = full(newId());
        KeyRecord stored = store.insert(record.toBuilder().version(99).build());
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored).isEqualTo(record.toBuilder().version(1).build());
        assertThat(store.get(record.id())).contains(stored);
    }

    @Test
    void insert_minimalRecord_roundTripsNulls() throws Exception {
        KeyRecord r = KeyRecord.builder().id(newId()).objectType("SECRET_DATA").state(KeyState.ACTIVE).owner("o").build();
        store.insert(r);
        KeyRecord back = store.get(r.id()).orElseThrow();
        assertThat(back.algorithm()).isNull();
        assertThat(back.lengthBits()).isNull();
        assertThat(back.initialDate()).isNull();
        assertThat(back.hsmLabel()).isNull();
        assertThat(back.names()).isEmpty();
        assertThat(back).isEqualTo(r.toBuilder().version(1).build());
    }

    @Test
    void get_unknownId_isEmpty() throws Exception {
        assertThat(store.get(newId())).isEmpty();
    }

    @Test
    void insert_duplicateId_isRefusedAsObjectAlreadyExists() throws Exception {
        String id = newId();
        store.insert(sample(id));
        assertThatThrownBy(() -> store.insert(sample(id).toBuilder().owner("someone-else").build()))
                .isInstanceOfSatisfying(ConflictException.class,
                        e -> assertThat(e.reason()).isEqualTo(ResultReason.OBJECT_ALREADY_EXISTS));
        assertThat(store.get(id).orElseThrow().owner()).isEqualTo("vcenter");
    }

    @Test
    void insert_duplicateName_isRefusedAndStoresNothing() throws Exception {
        store.insert(sample(newId()).toBuilder().addName("vm-1").build());
        String second = newId();
        assertThatThrownBy(() -> store.insert(sample(second).toBuilder().addName("fresh").addName("vm-1").build()))
                .isInstanceOfSatisfying(ConflictException.class,
                        e -> assertThat(e.reason()).isEqualTo(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE));
        assertThat(store.get(second)).isEmpty();
        assertThat(store.locate(KeyFilter.builder().name("fresh").build(), 0, 10)).isEmpty();
        // the name of the refused record was not left behind either
        store.insert(sample(newId()).toBuilder().addName("fresh").build());
    }

    @Test
    void update_withCurrentVersion_replacesEverythingAndIncrementsVersion() throws Exception {
        String id = newId();
        KeyRecord v1 = store.insert(sample(id).toBuilder().addName("old-name").addAttribute(Attribute.text("x-Vendor", "A")).build());
        KeyRecord changed = full(id).toBuilder().names(List.of("new-name")).version(v1.version()).build();
        KeyRecord v2 = store.update(changed);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(store.get(id)).contains(v2);
        assertThat(v2).isEqualTo(changed.toBuilder().version(2).build());
        // the old name and attribute are released, the new ones are findable
        assertThat(store.locate(KeyFilter.builder().name("old-name").build(), 0, 10)).isEmpty();
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Vendor", "A")).build(), 0, 10)).isEmpty();
        assertThat(store.locate(KeyFilter.builder().name("new-name").build(), 0, 10)).containsExactly(id);
        store.insert(sample(newId()).toBuilder().addName("old-name").build());
    }

    @Test
    void update_withStaleVersion_isVersionConflictAndChangesNothing() throws Exception {
        String id = newId();
        KeyRecord v1 = store.insert(sample(id));
        KeyRecord v2 = store.update(v1.toBuilder().state(KeyState.ACTIVE).build());
        assertThatThrownBy(() -> store.update(v1.toBuilder().state(KeyState.DESTROYED).build()))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(MetadataStore.isVersionConflict(e)).isTrue());
        assertThat(store.get(id)).contains(v2);
    }

    @Test
    void update_unknownId_isNotFound() {
        assertThatThrownBy(() -> store.update(sample(newId()).toBuilder().version(1).build()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void update_toANameTakenByAnotherKey_isRefusedAndKeepsTheOldRecord() throws Exception {
        store.insert(sample(newId()).toBuilder().addName("taken").build());
        KeyRecord mine = store.insert(sample(newId()).toBuilder().addName("mine").build());
        assertThatThrownBy(() -> store.update(mine.toBuilder().names(List.of("taken")).state(KeyState.ACTIVE).build()))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE);
                    assertThat(MetadataStore.isVersionConflict(e)).isFalse();
                });
        assertThat(store.get(mine.id())).contains(mine);
        assertThat(store.locate(KeyFilter.builder().name("mine").build(), 0, 10)).containsExactly(mine.id());
    }

    @Test
    void concurrentUpdates_fromTheSameVersion_exactlyOneWins() throws Exception {
        KeyRecord v1 = store.insert(sample(newId()));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        store.update(v1.toBuilder().usageMask(1000 + n).build());
                        wins.incrementAndGet();
                    } catch (ConflictException e) {
                        assertThat(MetadataStore.isVersionConflict(e)).isTrue();
                        conflicts.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(wins.get()).isEqualTo(1);
        assertThat(conflicts.get()).isEqualTo(threads - 1);
        KeyRecord now = store.get(v1.id()).orElseThrow();
        assertThat(now.version()).isEqualTo(2);
        assertThat(now.usageMask()).isBetween(1000, 1000 + threads - 1);
    }

    @Test
    void concurrentModify_fromSeveralThreads_losesNoUpdate() throws Exception {
        KeyRecord v1 = store.insert(sample(newId()).toBuilder().addAttribute("x-Counter", AttributeValue.longInteger(0)).build());
        int threads = 6;
        int perThread = 40;
        ConcurrentHashMap<Long, Boolean> seenValues = new ConcurrentHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        KeyRecord after = store.modify(v1.id(), cur -> {
                            long n = ((AttributeValue.LongInt) cur.attribute("x-Counter").orElseThrow()).value();
                            return cur.toBuilder().setAttribute("x-Counter", AttributeValue.longInteger(n + 1)).build();
                        });
                        long value = ((AttributeValue.LongInt) after.attribute("x-Counter").orElseThrow()).value();
                        assertThat(seenValues.put(value, true)).as("counter value %d committed twice", value).isNull();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        KeyRecord end = store.get(v1.id()).orElseThrow();
        assertThat(end.attribute("x-Counter")).contains(AttributeValue.longInteger((long) threads * perThread));
        assertThat(end.version()).isEqualTo(1 + (long) threads * perThread);
        assertThat(end.attributes("x-Counter")).hasSize(1);
    }

    @Test
    void modify_changeThatThrows_refusesAndChangesNothing() throws Exception {
        KeyRecord v1 = store.insert(sample(newId()));
        assertThatThrownBy(() -> store.modify(v1.id(), cur -> {
            throw new WrongStateException("not active");
        })).isInstanceOf(WrongStateException.class);
        assertThat(store.modify(v1.id(), cur -> cur)).isEqualTo(v1);
        assertThat(store.get(v1.id())).contains(v1);
        assertThatThrownBy(() -> store.modify(newId(), cur -> cur)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void delete_removesTheRecordItsNamesAttributesAndGrants() throws Exception {
        KeyRecord r = store.insert(full(newId()));
        store.putGrant(Grant.of(r.id(), "esxi-h1", Permission.UNWRAP));
        assertThatThrownBy(() -> store.delete(r.id(), r.version() + 1))
                .satisfies(e -> assertThat(MetadataStore.isVersionConflict(e)).isTrue());
        assertThat(store.get(r.id())).isPresent();
        store.delete(r.id(), r.version());
        assertThat(store.get(r.id())).isEmpty();
        assertThat(store.grants(r.id())).isEmpty();
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Product", "VMware vSphere")).build(), 0, 10)).isEmpty();
        assertThatThrownBy(() -> store.delete(r.id(), r.version())).isInstanceOf(NotFoundException.class);
        // its identifier and names are free again
        store.insert(full(r.id()));
    }

    // ------------------------------------------------------------------ listing and paging

    @Test
    void list_inPages_returnsEveryRecordOnceInIdentifierOrder() throws Exception {
        TreeSet<String> ids = new TreeSet<>();
        for (int i = 0; i < 23; i++) {
            ids.add(store.insert(sample(newId())).id());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<KeyRecord> page = store.list(KeyFilter.all(), cursor, 5);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(5);
            page.items().forEach(r -> seen.add(r.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(ids);
        assertThat(pages).isEqualTo(5);
        Page<KeyRecord> all = store.list(KeyFilter.all(), null, 23);
        assertThat(all.items()).hasSize(23);
        assertThat(all.hasMore()).isFalse();
    }

    @Test
    void list_pagingWhileOthersInsertAndDelete_returnsEveryStableRecordExactlyOnce() throws Exception {
        Set<String> stable = new HashSet<>();
        List<KeyRecord> doomed = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            stable.add(store.insert(sample(newId())).id());
            doomed.add(store.insert(sample(newId())));
        }
        Collections.shuffle(doomed, random);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int round = 0;
        do {
            Page<KeyRecord> page = store.list(KeyFilter.all(), cursor, 7);
            page.items().forEach(r -> seen.add(r.id()));
            cursor = page.nextCursor();
            // between pages: new records everywhere in the id space, and deletions
            for (int i = 0; i < 3; i++) {
                store.insert(sample(newId()));
            }
            if (round < doomed.size()) {
                KeyRecord d = doomed.get(round);
                store.delete(d.id(), d.version());
            }
            round++;
        } while (cursor != null);
        assertThat(new HashSet<>(seen)).as("no duplicates").hasSize(seen.size());
        assertThat(seen).containsAll(stable);
        assertThat(seen).isSorted();
    }

    @Test
    void list_withFilters_returnsOnlyMatchingRecords() throws Exception {
        KeyRecord a = store.insert(sample("a-" + newId()).toBuilder().state(KeyState.ACTIVE).owner("alice").addName("n-a").build());
        KeyRecord b = store.insert(sample("b-" + newId()).toBuilder().state(KeyState.DEACTIVATED).owner("bob")
                .algorithm("AES").lengthBits(128).build());
        KeyRecord c = store.insert(sample("c-" + newId()).toBuilder().state(KeyState.ACTIVE).owner("bob")
                .objectType("SECRET_DATA").algorithm(null).lengthBits(null).usageMask(0x4).build());
        store.putGrant(Grant.of(c.id(), "alice", Permission.WRAP));

        assertThat(ids(KeyFilter.builder().state(KeyState.ACTIVE).build())).containsExactly(a.id(), c.id());
        assertThat(ids(KeyFilter.builder().state(KeyState.ACTIVE, KeyState.DEACTIVATED).build())).containsExactly(a.id(), b.id(), c.id());
        assertThat(ids(KeyFilter.builder().owner("bob").build())).containsExactly(b.id(), c.id());
        assertThat(ids(KeyFilter.builder().algorithm("AES").build())).containsExactly(a.id(), b.id());
        assertThat(ids(KeyFilter.builder().objectType("SECRET_DATA").build())).containsExactly(c.id());
        assertThat(ids(KeyFilter.builder().name("n-a").build())).containsExactly(a.id());
        assertThat(ids(KeyFilter.builder().lengthBits(128).build())).containsExactly(b.id());
        assertThat(ids(KeyFilter.builder().usageMaskAll(0x8).build())).containsExactly(a.id(), b.id());
        assertThat(ids(KeyFilter.builder().visibleTo("alice").build())).containsExactly(a.id(), c.id());
        assertThat(ids(KeyFilter.builder().visibleTo("bob").build())).containsExactly(b.id(), c.id());
        assertThat(ids(KeyFilter.builder().visibleTo("mallory").build())).isEmpty();
        assertThat(ids(KeyFilter.builder().visibleTo("alice").owner("bob").state(KeyState.ACTIVE).build())).containsExactly(c.id());
        assertThat(ids(KeyFilter.builder().state(KeyState.DESTROYED).build())).isEmpty();
    }

    private List<String> ids(KeyFilter filter) throws KmsException {
        List<String> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<KeyRecord> p = store.list(filter, cursor, 2);
            p.items().forEach(r -> out.add(r.id()));
            cursor = p.nextCursor();
        } while (cursor != null);
        assertThat(store.locate(filter, 0, 100)).containsExactlyElementsOf(out);
        return out;
    }

    @Test
    void list_withBadCursorOrPageSize_isInvalidRequest() {
        assertThatThrownBy(() -> store.list(KeyFilter.all(), "not a cursor!", 10)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.list(KeyFilter.all(), "Zm9v", 10)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.list(KeyFilter.all(), null, 0)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.list(KeyFilter.all(), null, MetadataStore.MAX_PAGE_SIZE + 1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.locate(KeyFilter.all(), -1, 10)).isInstanceOf(InvalidRequestException.class);
    }

    // ------------------------------------------------------------------ locate

    @Test
    void locate_byNameAndTypedAttributeValues_findsExactMatches() throws Exception {
        KeyRecord vm1 = store.insert(sample(newId()).toBuilder()
                .addName("vm-1").addAttribute(Attribute.text("x-Vendor", "VMware"))
                .addAttribute(Attribute.text("x-Identifier", "vm-1-uuid"))
                .addAttribute("x-Serial", AttributeValue.integer(7)).build());
        KeyRecord vm2 = store.insert(sample(newId()).toBuilder()
                .addAttribute(Attribute.text("x-Vendor", "VMware"))
                .addAttribute(Attribute.text("x-Identifier", "vm-2-uuid"))
                .addAttribute("x-Serial", AttributeValue.longInteger(7)).build());
        KeyRecord other = store.insert(sample(newId()).toBuilder().addAttribute(Attribute.text("x-Vendor", "Other")).build());

        assertThat(store.locate(KeyFilter.builder().name("vm-1").build(), 0, 10)).containsExactly(vm1.id());
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Vendor", "VMware")).build(), 0, 10))
                .containsExactlyInAnyOrder(vm1.id(), vm2.id());
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Vendor", "VMware"))
                .attribute(Attribute.text("x-Identifier", "vm-2-uuid")).build(), 0, 10)).containsExactly(vm2.id());
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Vendor", "Other")).build(), 0, 10))
                .containsExactly(other.id());
        // the type is part of the value: Integer 7 is not Long Integer 7, nor the text "7"
        assertThat(store.locate(KeyFilter.builder().attribute("x-Serial", AttributeValue.integer(7)).build(), 0, 10)).containsExactly(vm1.id());
        assertThat(store.locate(KeyFilter.builder().attribute("x-Serial", AttributeValue.longInteger(7)).build(), 0, 10)).containsExactly(vm2.id());
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Serial", "7")).build(), 0, 10)).isEmpty();
        // a value under another attribute name does not match
        assertThat(store.locate(KeyFilter.builder().attribute(Attribute.text("x-Product", "VMware")).build(), 0, 10)).isEmpty();
    }

    @Test
    void locate_withOffsetAndMaximum_pagesThroughMatches() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ids.add(store.insert(sample(newId()).toBuilder().state(KeyState.ACTIVE).build()).id());
        }
        store.insert(sample(newId()));
        Collections.sort(ids);
        KeyFilter active = KeyFilter.builder().state(KeyState.ACTIVE).build();
        assertThat(store.locate(active, 0, 4)).containsExactlyElementsOf(ids.subList(0, 4));
        assertThat(store.locate(active, 4, 4)).containsExactlyElementsOf(ids.subList(4, 8));
        assertThat(store.locate(active, 8, 4)).containsExactlyElementsOf(ids.subList(8, 9));
        assertThat(store.locate(active, 9, 4)).isEmpty();
    }

    // ------------------------------------------------------------------ grants

    @Test
    void grants_putReplaceListAndRevoke() throws Exception {
        KeyRecord k = store.insert(sample(newId()));
        store.putGrant(Grant.of(k.id(), "esxi-h2", Permission.WRAP, Permission.UNWRAP));
        store.putGrant(Grant.of(k.id(), "esxi-h1", Permission.UNWRAP));
        assertThat(store.grant(k.id(), "esxi-h2").orElseThrow().permissions()).containsExactlyInAnyOrder(Permission.WRAP, Permission.UNWRAP);
        assertThat(store.grants(k.id())).extracting(Grant::identity).containsExactly("esxi-h1", "esxi-h2");

        store.putGrant(Grant.of(k.id(), "esxi-h2", Permission.GET_ATTRIBUTES));
        assertThat(store.grant(k.id(), "esxi-h2").orElseThrow().permissions()).containsExactly(Permission.GET_ATTRIBUTES);
        assertThat(store.grants(k.id())).hasSize(2);

        assertThat(store.revokeGrant(k.id(), "esxi-h2")).isTrue();
        assertThat(store.revokeGrant(k.id(), "esxi-h2")).isFalse();
        assertThat(store.grant(k.id(), "esxi-h2")).isEmpty();
        assertThat(store.grants(k.id())).extracting(Grant::identity).containsExactly("esxi-h1");
        // grants do not change the key's version
        assertThat(store.get(k.id()).orElseThrow().version()).isEqualTo(k.version());
    }

    @Test
    void putGrant_onUnknownKey_isNotFound() {
        assertThatThrownBy(() -> store.putGrant(Grant.of(newId(), "esxi-h1", Permission.UNWRAP)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void grants_everyPermissionRoundTrips() throws Exception {
        KeyRecord k = store.insert(sample(newId()));
        store.putGrant(new Grant(k.id(), "admin-2", EnumSet.allOf(Permission.class)));
        assertThat(store.grant(k.id(), "admin-2").orElseThrow().permissions()).isEqualTo(EnumSet.allOf(Permission.class));
    }

    // ------------------------------------------------------------------ batches

    @Test
    void commit_rekeyBatch_appliesEveryWriteTogether() throws Exception {
        KeyRecord old = store.insert(sample(newId()).toBuilder().state(KeyState.ACTIVE).addName("vm-7").build());
        store.putGrant(Grant.of(old.id(), "esxi-h1", Permission.WRAP, Permission.UNWRAP));
        String newId = newId();
        KeyRecord replacement = sample(newId).toBuilder().state(KeyState.ACTIVE).addName("vm-7")
                .addLink("REPLACED_OBJECT_LINK", old.id()).build();
        List<KeyRecord> stored = store.commit(WriteBatch.create()
                .update(old.toBuilder().names(List.of()).addLink("REPLACEMENT_OBJECT_LINK", newId).build())
                .insert(replacement)
                .putGrant(Grant.of(newId, "esxi-h1", Permission.WRAP, Permission.UNWRAP)));
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0).version()).isEqualTo(2);
        assertThat(stored.get(1).version()).isEqualTo(1);
        assertThat(store.locate(KeyFilter.builder().name("vm-7").build(), 0, 10)).containsExactly(newId);
        assertThat(store.get(old.id()).orElseThrow().linked("REPLACEMENT_OBJECT_LINK")).containsExactly(newId);
        assertThat(store.get(newId).orElseThrow().linked("REPLACED_OBJECT_LINK")).containsExactly(old.id());
        assertThat(store.grant(newId, "esxi-h1")).isPresent();
    }

    @Test
    void commit_batchWithAFailingWrite_appliesNothing() throws Exception {
        KeyRecord old = store.insert(sample(newId()).toBuilder().addName("vm-8").build());
        KeyRecord stale = old.toBuilder().version(old.version() + 5).build();
        String newId = newId();
        assertThatThrownBy(() -> store.commit(WriteBatch.create()
                .insert(sample(newId).toBuilder().addName("brand-new").build())
                .putGrant(Grant.of(old.id(), "esxi-h9", Permission.UNWRAP))
                .revokeGrant(old.id(), "nobody")
                .update(stale.toBuilder().state(KeyState.ACTIVE).build())))
                .satisfies(e -> assertThat(MetadataStore.isVersionConflict(e)).isTrue());
        assertThat(store.get(newId)).isEmpty();
        assertThat(store.grant(old.id(), "esxi-h9")).isEmpty();
        assertThat(store.get(old.id())).contains(old);
        assertThat(store.locate(KeyFilter.builder().name("brand-new").build(), 0, 10)).isEmpty();
        assertThat(store.commit(WriteBatch.create())).isEmpty();
    }

    // ------------------------------------------------------------------ availability

    @Test
    void ping_onAHealthyStore_succeeds() throws Exception {
        store.ping();
    }

    @Test
    void outage_surfacesAsUnavailableWithAClientSafeMessageAndRecovers() throws Exception {
        KeyRecord before = store.insert(full(newId()));
        String attempted = newId();
        try (Outage outage = startOutage(store)) {
            assertUnavailable(() -> store.ping());
            assertUnavailable(() -> store.insert(sample(attempted)));
            assertUnavailable(() -> store.get(before.id()));
            assertUnavailable(() -> store.update(before.toBuilder().state(KeyState.ACTIVE).build()));
            assertUnavailable(() -> store.putGrant(Grant.of(before.id(), "esxi-h1", Permission.UNWRAP)));
            assertUnavailable(() -> store.list(KeyFilter.all(), null, 10));
        }
        await(Duration.ofSeconds(30), () -> {
            try {
                store.ping();
                return true;
            } catch (UnavailableException e) {
                return false;
            }
        });
        assertThat(store.get(before.id())).contains(before);
        assertThat(store.get(attempted)).isEmpty();
        assertThat(store.grant(before.id(), "esxi-h1")).isEmpty();
        store.insert(sample(attempted));
    }

    @Test
    void closedStore_isUnavailable() {
        store.close();
        assertUnavailable(() -> store.get(newId()));
        assertUnavailable(() -> store.insert(sample(newId())));
        store = null;
    }

    protected interface Call {
        void run() throws Exception;
    }

    /** Fails unless the call throws UnavailableException whose message leaks no internal detail. */
    protected static void assertUnavailable(Call call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ResultReason.PROTECTION_STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage())
                            .startsWith("metadata store")
                            .doesNotContainIgnoringCase("sql")
                            .doesNotContain("/")
                            .doesNotContain("kms_key");
                });
    }

    /** Polls a condition until it holds or the deadline passes (then fails). */
    protected static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", timeout).isLessThan(deadline);
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }
}
