"""Invented names for the demo council's children, carers and staff, by the family's
background, and how often each background appears (plain data: no code, no randomness).

Names are a mix of common first and family names for each group; they are chosen at random
and stand for no real person. Preferred names include other scripts and diminutives so that
printing and sorting are exercised."""

from __future__ import annotations

# group: (boys' first names, girls' first names, family names)
NAMES: dict[str, tuple[str, str, str]] = {
    "british": (
        "Oliver Harry Jack Charlie Callum Kieran Tyler Liam Connor Mason Riley Lewis Ethan Jordan "
        "Bradley Alfie Reece Kai Owen Jake Alexander",
        "Chloe Megan Jessica Amber Lacey Paige Demi Courtney Ellie Kayleigh Mia Poppy Sophie Leah "
        "Jade Holly Evie Caitlin Shannon Zoë Natasha",
        "Ashworth Bramley Catterall Dunmore Fenwick Gorton Hebden Ingleby Kershaw Lomax Marsden "
        "Nuttall Openshaw Pilling Rawcliffe Sowerby Thwaites Unsworth Whitlock Yardley Brindle "
        "Haworth Tattersall Greenhalgh Pickering Hartley",
    ),
    "irish": (
        "Cian Oisín Darragh Seán Ciarán Tadhg Eoin Padraig",
        "Aoife Niamh Saoirse Siobhán Róisín Caoimhe Orla Clodagh",
        "Keane Brennan Doherty Gallagher Kavanagh Mulligan Quinlan Dunne Flanagan O'Dwyer",
    ),
    "traveller": (
        "Johnjo Patrick Martin Michael Tom Bernard",
        "Bridget Margaret Winnie Kathleen Nora Mary-Ann",
        "McDonagh Ward Joyce Maughan Sweeney Furey Doran Connors",
    ),
    "roma": (
        "Marian Dezider Ladislav Kristián Roberto Vasile Florin Denis",
        "Kezia Mirela Ramona Jarmila Nikola Esmeralda Denisa Florentina",
        "Lakatoš Horváth Kováč Oláh Dudič Balog Stoica Čonka",
    ),
    "polish": (
        "Jakub Łukasz Wojciech Mikołaj Szymon Kacper Filip Bartłomiej Michał Paweł",
        "Zofia Katarzyna Małgorzata Zuzanna Wiktoria Julia Natalia Agnieszka Oliwia Maja",
        "Nowak Wójcik Kowalczyk Woźniak Mazur Krawczyk Kaczmarek Zieliński Grabowski Dąbrowski Sikora Pawłowski",
    ),
    "romanian": (
        "Ștefan Andrei Mihai Ionuț Răzvan Cosmin Alexandru",
        "Andreea Bianca Ioana Alexandra Mădălina Denisa Roxana",
        "Popescu Ionescu Dumitrescu Stănescu Munteanu Constantin Lungu Vasilescu",
    ),
    "ukrainian": (
        "Oleksandr Dmytro Bohdan Taras Mykola Artem Yaroslav",
        "Daryna Sofiia Anastasiia Yulia Oksana Khrystyna Viktoriia",
        "Shevchuk Kovalenko Bondarenko Tkachenko Melnyk Kravets Hnatiuk Lysenko",
    ),
    "portuguese": (
        "João Tiago Rodrigo Gonçalo Diogo Afonso",
        "Inês Beatriz Leonor Mariana Matilde Carolina",
        "Gonçalves Ferreira Sousa Antunes Magalhães Correia",
    ),
    "turkish": (
        "Emre Mehmet Burak Yusuf Can Kerem",
        "Elif Ayşe Zeynep Defne Ebru Selin",
        "Yılmaz Şahin Öztürk Çelik Aydın Doğan Kılıç",
    ),
    "greek": (
        "Nikolaos Giorgos Dimitris Kostas",
        "Eleni Katerina Dimitra Sofia",
        "Papadopoulos Georgiou Antoniou Christodoulou Pappas",
    ),
    "lithuanian": (
        "Jonas Lukas Matas Dominykas",
        "Emilija Gabija Austėja Ugnė",
        "Kazlauskas Petrauskas Jankauskas Žukauskas Vasiliauskas",
    ),
    "caribbean": (
        "Jayden Tyrese Kyle Jermaine Dwayne Marcus Andre Malachi Jaheim Shaquille",
        "Tianna Shanice Jada Kayla Aaliyah Chantelle Keisha Nia Tia Imani",
        "Campbell Gayle Morrison Bailey Clarke Forbes Grant Lindo McKenzie Reid Wint Thompson",
    ),
    "west_african": (
        "Chidera Emeka Kwame Kofi Tobi Femi Oluwaseun Ifeanyi Daniel Samuel",
        "Amara Chiamaka Ama Adaeze Folake Temitope Blessing Precious Abena Zainab",
        "Okafor Mensah Adeyemi Boateng Eze Okonkwo Asante Oduya Nwosu Bakare Owusu Adebayo",
    ),
    "somali": (
        "Abdi Mohamed Hassan Ahmed Abdirahman Yusuf",
        "Hodan Ayaan Fadumo Hibo Sagal Ifrah",
        "Warsame Farah Hirsi Jama Abdullahi Osman Ismail",
    ),
    "eritrean": (
        "Yonas Tesfay Dawit Biniam Filmon Samuel",
        "Selam Helen Saba Lidya Senait Rahwa",
        "Tesfaye Gebremedhin Haile Berhane Kidane Tekle",
    ),
    "indian": (
        "Arjun Rohan Vikram Aarav Harjit Gurpreet Karan Dev",
        "Priya Anjali Simran Kiran Nisha Harleen Pooja Riya",
        "Sharma Patel Gill Mistry Chauhan Rao Sandhu Dhillon Bains Parmar",
    ),
    "pakistani": (
        "Ayaan Hamza Bilal Zain Usman Imran Rehan Ali",
        "Zara Aisha Maryam Hafsa Noor Sana Iqra Amna",
        "Akhtar Hussain Iqbal Khan Mahmood Rashid Shah Aslam Qureshi Javed",
    ),
    "bangladeshi": (
        "Rahim Sabbir Tanvir Rafiq Shakil Mizanur",
        "Nusrat Taslima Sumaiya Farhana Ruksana Jannat",
        "Uddin Miah Rahman Ahmed Chowdhury Islam Hoque",
    ),
    "afghan": (
        "Ahmad Farid Mustafa Sohail Jawad Nasir",
        "Mursal Parwana Fereshta Shabnam Mahbooba Zahra",
        "Noori Rahimi Ahmadzai Safi Wardak Popal",
    ),
    "srilankan": (
        "Tharindu Kasun Nuwan Dinesh Sanjeev",
        "Tharushi Nimasha Dilani Kavya Shanthi",
        "Perera Fernando Jayasinghe Gunawardena Dissanayake Sivakumar",
    ),
    "vietnamese": (
        "Minh Tuấn Hùng Quang Đức Long",
        "Lan Thảo Linh Hương Ngọc Mai",
        "Nguyễn Trần Phạm Lê Hoàng Võ Đặng",
    ),
    "arab": (
        "Omar Yusuf Karim Khalid Tariq Sami Ibrahim Mahmoud",
        "Layla Amira Mariam Rana Noor Huda Salma Yasmin",
        "Haddad Al-Sayed Mansour Khalil Nasser Saleh Darwish Hamdan",
    ),
    "kurdish": (
        "Rebin Soran Aram Dilan Karwan Shvan",
        "Rojin Shilan Hana Dilnaz Avin Berivan",
        "Rasul Hama Kareem Salih Mirza Qadir",
    ),
    "iranian": (
        "Arash Reza Kian Dariush Babak",
        "Shirin Nasrin Parisa Maryam Roya",
        "Hosseini Rezaei Moradi Karimi Jafari Tehrani",
    ),
    "chinese": ("Wei Jun Hao Jie Ming Bo", "Mei Lihua Xin Yan Jing Hui", "Chen Wang Li Zhang Liu Huang Lin Zhou"),
}

# Preferred names a child may give: non-Latin scripts and diminutives, so printing is exercised.
PREFERRED: dict[str, str] = {
    "Omar": "عمر",
    "Yusuf": "يوسف",
    "Karim": "كريم",
    "Khalid": "خالد",
    "Tariq": "طارق",
    "Sami": "سامي",
    "Ibrahim": "إبراهيم",
    "Mahmoud": "محمود",
    "Layla": "ليلى",
    "Amira": "أميرة",
    "Mariam": "مريم",
    "Rana": "رنا",
    "Noor": "نور",
    "Huda": "هدى",
    "Salma": "سلمى",
    "Yasmin": "ياسمين",
    "Wei": "伟",
    "Jun": "俊",
    "Hao": "浩",
    "Jie": "杰",
    "Ming": "明",
    "Bo": "博",
    "Mei": "梅",
    "Lihua": "丽华",
    "Xin": "欣",
    "Yan": "燕",
    "Jing": "静",
    "Hui": "慧",
    "Oleksandr": "Саша",
    "Dmytro": "Дмитро",
    "Bohdan": "Богдан",
    "Taras": "Тарас",
    "Mykola": "Микола",
    "Artem": "Артем",
    "Yaroslav": "Ярослав",
    "Daryna": "Дарина",
    "Sofiia": "Софія",
    "Anastasiia": "Настя",
    "Yulia": "Юля",
    "Oksana": "Оксана",
    "Khrystyna": "Христина",
    "Viktoriia": "Віка",
    "Nikolaos": "Νίκος",
    "Giorgos": "Γιώργος",
    "Dimitris": "Δημήτρης",
    "Kostas": "Κώστας",
    "Eleni": "Ελένη",
    "Katerina": "Κατερίνα",
    "Dimitra": "Δήμητρα",
    "Katarzyna": "Kasia",
    "Małgorzata": "Gosia",
    "Wojciech": "Wojtek",
    "Jakub": "Kuba",
    "Bartłomiej": "Bartek",
    "Mikołaj": "Mikołajek",
    "Zuzanna": "Zuzia",
    "Ștefan": "Ștefănel",
    "Jayden": "Jay",
    "Tyrese": "Ty",
    "Oluwaseun": "Seun",
    "Temitope": "Tope",
    "Adaeze": "Ada",
    "Abdirahman": "Abdi",
    "Mohamed": "Mo",
    "Gurpreet": "Preet",
    "Natasha": "Tash",
    "Alexander": "Alex",
    "Callum": "Cal",
    "Jessica": "Jess",
    "Bradley": "Brad",
    "Siobhán": "Shiv",
    "Chidera": "Dera",
    "Dominykas": "Domas",
    "Tharindu": "Thari",
    "Đức": "Duc",
}


# The SSDA903 ethnicity codes of the register, in proportion (per hundred children).
ETHNIC_WEIGHTS: dict[str, float] = {
    "WBRI": 52,
    "WIRI": 1,
    "WOTH": 7,
    "WIRT": 0.8,
    "WROM": 1.2,
    "MWBC": 5,
    "MWBA": 2,
    "MWAS": 2,
    "MOTH": 4,
    "AIND": 1.5,
    "APKN": 3,
    "ABAN": 1.5,
    "AOTH": 2.5,
    "BCRB": 3,
    "BAFR": 5,
    "BOTH": 2.5,
    "CHNE": 0.5,
    "OOTH": 4.5,
    "REFU": 0.5,
    "NOBT": 1,
}
# Which name groups a child of each ethnicity code draws from (MOTH, REFU, NOBT: any group).
ETHNIC_GROUPS: dict[str, dict[str, float]] = {
    "WBRI": {"british": 1},
    "WIRI": {"irish": 1},
    "WIRT": {"traveller": 1},
    "WROM": {"roma": 1},
    "WOTH": {
        "polish": 35,
        "romanian": 20,
        "ukrainian": 15,
        "portuguese": 10,
        "turkish": 10,
        "greek": 5,
        "lithuanian": 5,
    },
    "AIND": {"indian": 1},
    "APKN": {"pakistani": 1},
    "ABAN": {"bangladeshi": 1},
    "AOTH": {"afghan": 40, "srilankan": 30, "vietnamese": 30},
    "BCRB": {"caribbean": 1},
    "BAFR": {"west_african": 50, "somali": 25, "eritrean": 25},
    "BOTH": {"caribbean": 40, "west_african": 30, "british": 30},
    "CHNE": {"chinese": 1},
    "OOTH": {"arab": 40, "kurdish": 25, "iranian": 15, "vietnamese": 20},
}
# Mixed heritage: first name from one group, family name from the other (either way round).
MIXED: dict[str, tuple[str, str]] = {
    "MWBC": ("british", "caribbean"),
    "MWBA": ("british", "west_african"),
    "MWAS": ("british", "pakistani"),
}
# Languages a child of a group speaks beside English (the Philomena description says so).
LANGUAGE: dict[str, str] = {
    "polish": "Polish",
    "romanian": "Romanian",
    "ukrainian": "Ukrainian",
    "portuguese": "Portuguese",
    "turkish": "Turkish",
    "greek": "Greek",
    "lithuanian": "Lithuanian",
    "somali": "Somali",
    "eritrean": "Tigrinya",
    "afghan": "Pashto and Dari",
    "vietnamese": "Vietnamese",
    "arab": "Arabic",
    "kurdish": "Kurdish Sorani",
    "iranian": "Farsi",
    "chinese": "Cantonese",
    "roma": "Romani",
}
# Adults (carers, staff, associates): the city's grown-up population, roughly.
ADULT_GROUPS: dict[str, float] = {
    "british": 45,
    "irish": 4,
    "caribbean": 7,
    "west_african": 8,
    "indian": 6,
    "pakistani": 7,
    "bangladeshi": 3,
    "polish": 5,
    "portuguese": 2,
    "somali": 2,
    "arab": 2,
    "chinese": 2,
    "greek": 1,
    "turkish": 2,
    "romanian": 2,
    "kurdish": 1,
    "srilankan": 1,
}
