// Issue #28's Food-101 rows: a photo listed twice (the paper's split pools the lists, so it would
// land in training and validation), CRLF and a BOM, classes that leave images/, and lines that are
// not UTF-8. Each is one error naming the file and line(s), or the lists read as text tools read them.
@testable import Datasets
import Foundation
import Testing

private func food101(classes: Data = Data("a\nb\n".utf8), labels: Data = Data("A\nB\n".utf8),
                     train: Data = Data("a/1\nb/2\n".utf8), test: Data = Data()) throws -> Food101 {
    try Food101(root: URL(fileURLWithPath: "/food-101"), classes: classes, labels: labels, train: train, test: test)
}

@Suite struct Food101ListTests {
    @Test func aPhotoListedTwiceInOneListNamesBothLines() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/train.txt", line: 3, reason: "'a/1' is already listed on train.txt line 1")) {
            try food101(train: Data("a/1\nb/2\na/1\n".utf8))
        }
    }

    @Test func aPhotoInBothListsNamesBothLines() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/test.txt", line: 2, reason: "'b/2' is already listed on train.txt line 2")) {
            try food101(test: Data("a/9\nb/2\n".utf8))
        }
    }

    @Test("CRLF line endings and a UTF-8 BOM are read as text tools read them")
    func crlfAndBOMAreAccepted() throws {
        let bom = Data([0xEF, 0xBB, 0xBF])
        let food = try food101(classes: bom + Data("apple_pie\r\nb\r\n".utf8), labels: bom + Data("Apple pie\r\nB\r\n".utf8),
                               train: bom + Data("apple_pie/1\r\nb/2\r\n".utf8), test: Data("b/3\r\n".utf8))
        #expect(food.classes == ["apple_pie", "b"])
        #expect(food.classNames == ["apple pie", "b"])
        #expect(food.officialTrain.map(\.path) == ["apple_pie/1", "b/2"])
        #expect(food.officialTest.map(\.path) == ["b/3"])
    }

    @Test(arguments: ["..", ".", "a/..", "../../etc"])
    func aClassOutsideImagesIsRefused(_ name: String) throws {
        let line = #expect(throws: DatasetError.self) {
            try food101(classes: Data("a\n\(name)\n".utf8), labels: Data("A\nB\n".utf8), train: Data("a/1\n".utf8))
        }
        #expect(line?.description == "/food-101/meta/classes.txt:2: class '\(name)' is not a folder name inside images/")
    }

    @Test("an entry naming a path below its class is refused")
    func anEntryOutsideItsClassIsRefused() throws {
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/train.txt", line: 2, reason: "expected <class>/<id>, got 'a/../../x'")) {
            try food101(train: Data("b/2\na/../../x\n".utf8))
        }
    }

    @Test("a list line that is not UTF-8 is read as its bytes; a label that is not is refused naming its line")
    func aNonUTF8LineIsReadAsItsBytes() throws {
        let food = try food101(train: Data("a/1\n".utf8) + Data([0x62, 0x2F, 0xFF, 0x0D, 0x0A]))
        #expect(food.officialTrain.last?.pathBytes == [0x62, 0x2F, 0xFF] && food.officialTrain.last?.path == "b/\u{FFFD}")
        #expect(food.file(of: food.officialTrain.last!).bytes == Array("/food-101/images/b/".utf8) + [0xFF] + Array(".jpg".utf8))
        // Two names that differ only in bytes that are not UTF-8 are two photos, not one listed twice.
        #expect(try food101(train: Data([0x62, 0x2F, 0xFE, 0x0A, 0x61, 0x2F, 0x31, 0x0A, 0x62, 0x2F, 0xFF, 0x0A])).officialTrain.count == 3)
        #expect(throws: DatasetError.malformed(file: "/food-101/meta/labels.txt", line: 2, reason: "not UTF-8 text")) {
            try food101(labels: Data("A\n".utf8) + Data([0x42, 0xFF, 0x0A]))
        }
    }
}
